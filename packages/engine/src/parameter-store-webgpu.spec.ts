/**
 * The device parameter store on webgpu, where its update is the fused kernel
 * (packages/backend/src/webgpu-adamw.ts): against the host store (JS AdamW on cpu) per step, and
 * a whole replica step that reads back nothing but its statistics. Runs on the software Vulkan
 * adapter in CI; skips with a printed reason where none can be set up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { packUnits, type EncodedPair, type NamedParameter } from '@rewardkit/core';
import { describeWebGpu, initBackend, stopWebGpu } from '@rewardkit/backend';
import { randomPairs } from '@rewardkit/testing';
import { readCheckpoint, saveCheckpoint, writeCheckpoint } from './checkpoint';
import { ParameterLayout } from './parameter-layout';
import { maxFlatElements, resolveStoreKind } from './parameter-store';
import { DeviceParameterStore } from './parameter-store-device';
import { HostParameterStore } from './parameter-store-host';
import { maxRelDiff, sumAllReduce } from './parameter-store.spec-helper';
import { Replica, type ReplicaConfig } from './replica';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';

const cfg: ReplicaConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };
const STEPS = 6;

/** Seeded floats in [-1, 1). */
function floats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** A matrix (decayed) with a frozen range, a bias (not decayed), an embedding with frozen rows. */
function parameters(): NamedParameter[] {
  return [
    { name: 'w', variable: tf.variable(tf.tensor2d(floats(30, 1), [6, 5])), frozen: [[3, 9]] },
    { name: 'b', variable: tf.variable(tf.tensor1d(floats(7, 2))) },
    { name: 'e', variable: tf.variable(tf.tensor2d(floats(80, 3), [20, 4])), frozen: [[0, 8]] },
  ];
}

/** Gradient sums of a batch of `count`; odd steps large enough that clipping engages. */
const gradients = (P: number) => Array.from({ length: STEPS }, (_, s) => floats(P, 100 + s).map((g) => g * (s % 2 ? 40 : 2)));

describeWebGpu('DeviceParameterStore on webgpu (fused kernel)', () => {
  const pairs = randomPairs(24, 40, 39, 7);
  const stepOf = (r: Replica, batch: readonly EncodedPair[], step: number) => r.trainStep(packUnits(batch, 39), { step, lr: 0.02 });

  // The host store cannot run on webgpu (it reads every gradient synchronously): its reference
  // runs on cpu first, then the device store replays the same gradients on webgpu.
  const host: { theta: Float32Array[]; norm: number[] } = { theta: [], norm: [] };
  const steps = [1, 2, 3, 4];
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
    const params = parameters();
    const store = new HostParameterStore(new ParameterLayout(params), cfg);
    for (const [s, g] of gradients(store.layout.size).entries()) {
      host.norm.push(store.update(Float32Array.from(g), 8, 0.01 * (s + 1)));
      host.theta.push(Float32Array.from(store.theta));
    }
    params.forEach((p) => p.variable.dispose());
    await initBackend({ prefer: 'webgpu' }); // registers the fused AdamW kernel (apply-webgpu-fixes.ts)
  });
  afterAll(() => stopWebGpu());

  it('agrees with the host store to 1e-6 relative on every step (decay, frozen ranges, clipping)', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const params = parameters();
    const store = new DeviceParameterStore(new ParameterLayout(params), cfg);
    expect(store.fused).toBe(true);
    for (const [s, g] of gradients(store.layout.size).entries()) {
      const norm = store.update(Float32Array.from(g), 8, 0.01 * (s + 1));
      const n = (await norm.data())[0];
      norm.dispose();
      expect(Math.abs(n - host.norm[s]) / host.norm[s]).toBeLessThan(1e-6);
      if (s % 2) expect(host.norm[s]).toBeGreaterThan(cfg.clipNorm); // clipping engaged
      const snap = await store.snapshot();
      expect(maxRelDiff(snap.theta, host.theta[s])).toBeLessThan(1e-6);
    }
    // The model's variables carry the device parameters.
    const last = host.theta[STEPS - 1];
    const w = (await params[0].variable.data()) as Float32Array;
    expect(maxRelDiff(w, last.subarray(0, 30))).toBeLessThan(1e-6);
    store.dispose();
    params.forEach((p) => p.variable.dispose());
  });

  it('a forced host store runs on webgpu too (asynchronous reads) and agrees with the device store per step', async () => {
    const frozen = () => {
      const m = tinyModel(40);
      return { ...m, parameters: m.parameters.map((p) => (p.name === 'w' ? { ...p, frozen: [[1, 3]] as const } : p)) };
    };
    const host = new Replica(frozen(), plainBradleyTerry, { ...cfg, clipNorm: 0.05, store: 'host' });
    const device = new Replica(frozen(), plainBradleyTerry, { ...cfg, clipNorm: 0.05 });
    expect([host.store.kind, device.store.kind, device.store.fused]).toEqual(['host', 'device', true]);
    for (const s of steps) {
      const batch = pairs.slice(4 * s, 4 * s + 8);
      const a = await stepOf(host, batch, s);
      const b = await stepOf(device, batch, s);
      expect(a.gradNorm).toBeGreaterThan(0.05); // clipping engaged
      expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-6);
      expect(maxRelDiff((await device.snapshot()).theta, (await host.snapshot()).theta)).toBeLessThan(1e-6);
    }
    [host, device].forEach((r) => (r.dispose(), r.model.dispose()));
  });

  it('a replica step alone reads back only its statistics, and leaks nothing', async () => {
    const r = new Replica(tinyModel(40), plainBradleyTerry, cfg);
    expect(r.store.kind).toBe('device'); // auto on webgpu
    await stepOf(r, pairs.slice(0, 8), 1);
    const before = tf.memory().numTensors;
    const sizes: number[] = [];
    const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = proto.data;
    proto.data = function (this: tf.Tensor, ...args: unknown[]) {
      sizes.push(this.size);
      return original.apply(this, args);
    };
    try {
      const out = await stepOf(r, pairs.slice(8, 16), 2);
      expect(out).toMatchObject({ pairs: 8, count: 8 });
      expect(Number.isFinite(out.loss) && Number.isFinite(out.gradNorm)).toBe(true);
    } finally {
      proto.data = original;
    }
    expect(sizes).toEqual([3]);
    expect(tf.memory().numTensors).toBe(before);
    r.dispose();
    r.model.dispose();
  });

  it('two ranks (gradients read back in buckets, the sum uploaded once) reach the parameters of one', async () => {
    const one = new Replica(tinyModel(40), plainBradleyTerry, cfg);
    const two = [0, 1].map(() => new Replica(tinyModel(40), plainBradleyTerry, { ...cfg, bucketBytes: 4 * 50 }));
    for (const s of steps) {
      const batch = pairs.slice(4 * s, 4 * s + 8);
      await stepOf(one, batch, s);
      const allReduce = sumAllReduce(2);
      const shards = shardByTokens(batch, 2);
      await Promise.all(two.map((r, i) => r.trainStep(packUnits(shards[i], 39), { step: s, lr: 0.02 }, allReduce)));
    }
    const want = (await one.snapshot()).theta;
    for (const r of two) expect(maxRelDiff((await r.snapshot()).theta, want)).toBeLessThan(1e-5);
    [one, ...two].forEach((r) => (r.dispose(), r.model.dispose()));
  });

  it('a checkpoint of the device store (saveCheckpoint) resumes exactly', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-webgpu-ckpt-'));
    try {
      const straight = new Replica(tinyModel(40), plainBradleyTerry, cfg);
      for (const s of steps) await stepOf(straight, pairs.slice(4 * s, 4 * s + 8), s);
      const first = new Replica(tinyModel(40), plainBradleyTerry, cfg);
      for (const s of steps.slice(0, 2)) await stepOf(first, pairs.slice(4 * s, 4 * s + 8), s);
      const dir = await saveCheckpoint(runDir, first, { step: 2, sampler: { epoch: 0, cursor: 0 }, meta: {} });
      expect(() => writeCheckpoint(runDir, first, { step: 2, sampler: { epoch: 0, cursor: 0 }, meta: {} })).toThrow(/parameters live on the device/);
      const resumed = new Replica(tinyModel(40, 4, 99), plainBradleyTerry, cfg);
      expect(readCheckpoint(dir, resumed).step).toBe(2);
      for (const s of steps.slice(2)) await stepOf(resumed, pairs.slice(4 * s, 4 * s + 8), s);
      expect(Array.from((await resumed.snapshot()).theta)).toEqual(Array.from((await straight.snapshot()).theta));
      [straight, first, resumed].forEach((r) => (r.dispose(), r.model.dispose()));
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("auto falls back to the host store, and a forced device store refuses, when the flat buffers exceed the adapter's binding", () => {
    const limit = maxFlatElements();
    expect(Number.isFinite(limit)).toBe(true);
    expect(resolveStoreKind('auto', limit, {})).toBe('device');
    expect(resolveStoreKind('auto', limit + 1, {})).toBe('host');
    const half = Math.ceil((limit + 1) / 2);
    const params = [0, 1].map((i) => ({ name: `p${i}`, variable: tf.variable(tf.zeros([half])) }));
    expect(() => new DeviceParameterStore(new ParameterLayout(params), cfg)).toThrow(/binds at most \d+ bytes to a shader: use the host store/);
    params.forEach((p) => p.variable.dispose());
  });

  it('snapshot and restore round-trip exactly', async () => {
    const straight = new Replica(tinyModel(40), plainBradleyTerry, cfg);
    for (const s of steps) await stepOf(straight, pairs.slice(4 * s, 4 * s + 8), s);
    const first = new Replica(tinyModel(40), plainBradleyTerry, cfg);
    for (const s of steps.slice(0, 2)) await stepOf(first, pairs.slice(4 * s, 4 * s + 8), s);
    const saved = await first.snapshot();
    first.dispose();
    first.model.dispose();
    const resumed = new Replica(tinyModel(40, 4, 99), plainBradleyTerry, cfg); // other weights, overwritten
    resumed.restore(saved);
    for (const s of steps.slice(2)) await stepOf(resumed, pairs.slice(4 * s, 4 * s + 8), s);
    const [a, b] = [await resumed.snapshot(), await straight.snapshot()];
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
    expect(Array.from(a.optimizer.v)).toEqual(Array.from(b.optimizer.v));
    [straight, resumed].forEach((r) => (r.dispose(), r.model.dispose()));
  });
});
