import * as tf from '@tensorflow/tfjs-core';
import { packUnits, type EncodedPair, type LossFn } from '@rewardkit/core';
import { randomPairs, useBackend } from '@rewardkit/testing';
import { BatchSampler } from './batch-sampler';
import { ParameterLayout } from './parameter-layout';
import { hasFusedAdamW } from './device-adamw';
import { PARAMETER_STORE_ENV, resolveStoreKind } from './parameter-store';
import { maxRelDiff, sumAllReduce } from './parameter-store.spec-helper';
import { readGradients } from './parameter-store-transfer';
import { Replica, type ReplicaConfig, type StepOutcome } from './replica';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';

const VOCAB = 40;
const EOS = VOCAB - 1;
// clipNorm small enough that clipping is active on most steps (asserted below).
const cfg: ReplicaConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clipNorm: 0.05 };

/** The tiny model with part of `w` and of `embed` frozen, so every code path of the update runs. */
function frozenTinyModel() {
  const model = tinyModel(VOCAB);
  const frozen = { w: [[1, 3]], embed: [[8, 20]] } as Record<string, [number, number][]>;
  return { ...model, parameters: model.parameters.map((p) => (frozen[p.name] ? { ...p, frozen: frozen[p.name] } : p)) };
}

const replicaOn = (store: 'host' | 'device', extra: Partial<ReplicaConfig> = {}) => new Replica(frozenTinyModel(), plainBradleyTerry, { ...cfg, ...extra, store });
const stepOf = (r: Replica, pairs: readonly EncodedPair[], step: number, lr: number, allReduce?: (b: Float32Array) => Promise<void>) =>
  r.trainStep(packUnits(pairs, EOS), { step, lr }, allReduce);

describe('DeviceParameterStore (tfjs ops, cpu backend)', () => {
  useBackend('cpu');
  const pairs = randomPairs(32, VOCAB, EOS, 11);
  const disposeAll = (rs: Replica[]) => rs.forEach((r) => (r.dispose(), r.model.dispose()));

  it('agrees with the host store to 1e-6 relative on every step (weight decay, frozen ranges, clipping)', async () => {
    const host = replicaOn('host');
    const device = replicaOn('device');
    expect(device.store.kind).toBe('device');
    expect(device.store.fused).toBe(false); // no fused kernel on cpu: the ops path
    const frozenBefore = (await device.snapshot()).theta.slice(host.layout.frozen[0][0], host.layout.frozen[0][1]);
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 2 });
    let clipped = 0;
    for (let step = 1; step <= 8; step++) {
      const batch = sampler.next().map((i) => pairs[i]);
      const a = await stepOf(host, batch, step, 0.02);
      const b = await stepOf(device, batch, step, 0.02);
      const snap = await device.snapshot();
      expect(maxRelDiff(snap.theta, host.theta)).toBeLessThan(1e-6);
      expect(maxRelDiff(snap.optimizer.m, host.optimizer.m)).toBeLessThan(1e-6);
      expect(maxRelDiff(snap.optimizer.v, host.optimizer.v)).toBeLessThan(1e-6);
      expect(snap.optimizer.t).toBe(step);
      expect(Array.from(await device.store.parameters())).toEqual(Array.from(snap.theta)); // the parameters alone, as the moving average reads them
      expect(Array.from(await host.store.parameters())).toEqual(Array.from(host.theta));
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.accuracy).toBe(a.accuracy);
      expect(Math.abs(b.gradNorm - a.gradNorm) / a.gradNorm).toBeLessThan(1e-5);
      if (a.gradNorm > cfg.clipNorm) clipped++;
    }
    expect(clipped).toBeGreaterThan(4);
    const [fa, fb] = host.layout.frozen[0];
    expect(Array.from((await device.snapshot()).theta.slice(fa, fb))).toEqual(Array.from(frozenBefore));
    // The model's own variables carry the device parameters.
    expect(maxRelDiff(host.layout.read(), device.layout.read())).toBeLessThan(1e-6);
    disposeAll([host, device]);
  });

  it('with one worker reads back nothing but the step statistics', async () => {
    const r = replicaOn('device');
    await stepOf(r, pairs.slice(0, 8), 1, 0.01); // warm up outside the count
    const sizes: number[] = [];
    const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const spies = (['data', 'dataSync', 'array', 'arraySync', 'bytes'] as const).map((name) => {
      const original = proto[name];
      proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
        sizes.push(this.size);
        return original.apply(this, args);
      };
      return () => (proto[name] = original);
    });
    try {
      await stepOf(r, pairs.slice(8, 16), 2, 0.01);
    } finally {
      spies.forEach((restore) => restore());
    }
    expect(sizes).toEqual([3]); // [lossSum, correct, gradNorm], once
    disposeAll([r]);
  });

  it('N device replicas with an all-reduce reach the parameters of 1 host replica (buckets of a few values)', async () => {
    const one = replicaOn('host');
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 12, seed: 5 });
    const batches = Array.from({ length: 4 }, () => sampler.next().map((i) => pairs[i]));
    for (const [s, b] of batches.entries()) await stepOf(one, b, s + 1, 0.03);
    for (const n of [2, 3]) {
      const many = Array.from({ length: n }, () => replicaOn('device', { bucketBytes: 4 * 37 }));
      for (const [s, b] of batches.entries()) {
        const allReduce = sumAllReduce(n);
        const shards = shardByTokens(b, n);
        const outs: StepOutcome[] = await Promise.all(many.map((r, i) => stepOf(r, shards[i], s + 1, 0.03, allReduce)));
        for (const o of outs) expect(o).toMatchObject({ pairs: b.length, count: b.length });
      }
      for (const r of many) expect(maxRelDiff((await r.snapshot()).theta, one.theta)).toBeLessThan(1e-5);
      disposeAll(many);
    }
    disposeAll([one]);
  });

  it('an empty shard contributes zeros and still applies the update', async () => {
    const [a, b] = [replicaOn('device'), replicaOn('device')];
    const allReduce = sumAllReduce(2);
    const batch = pairs.slice(0, 6);
    const [oa, ob] = await Promise.all([stepOf(a, batch, 1, 0.01, allReduce), stepOf(b, [], 1, 0.01, allReduce)]);
    expect(ob).toMatchObject({ pairs: 6, loss: oa.loss });
    expect(Array.from((await b.snapshot()).theta)).toEqual(Array.from((await a.snapshot()).theta));
    disposeAll([a, b]);
  });

  it('snapshot and restore round-trip: a resumed device replica ends where an uninterrupted one does', async () => {
    const run = async (r: Replica, sampler: BatchSampler, steps: number[]) => {
      for (const s of steps) await stepOf(r, sampler.next().map((i) => pairs[i]), s, 0.02 * (1 + s / 10));
    };
    const straight = replicaOn('device');
    await run(straight, new BatchSampler({ size: 32, batchSize: 8, seed: 4 }), [1, 2, 3, 4, 5, 6]);

    const first = replicaOn('device');
    const s2 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    await run(first, s2, [1, 2, 3]);
    const saved = await first.snapshot();
    saved.theta.fill(0); // a snapshot is a copy: mutating it leaves the store alone
    const state = await first.snapshot();
    disposeAll([first]);

    const resumed = replicaOn('device', {});
    resumed.restore(state);
    state.theta.fill(0); // restore copies too
    await run(resumed, s2, [4, 5, 6]);
    const [a, b] = [await resumed.snapshot(), await straight.snapshot()];
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
    expect(Array.from(a.optimizer.m)).toEqual(Array.from(b.optimizer.m));
    expect(a.optimizer.t).toBe(6);
    disposeAll([straight, resumed]);
  });

  it('does not leak tensors across steps, alone or with an all-reduce, on either store', async () => {
    for (const store of ['device', 'host'] as const) {
      const r = replicaOn(store);
      await stepOf(r, pairs.slice(0, 8), 1, 0.01);
      const before = tf.memory().numTensors;
      for (let s = 2; s < 5; s++) await stepOf(r, pairs.slice(8, 16), s, 0.01);
      for (let s = 5; s < 7; s++) await stepOf(r, pairs.slice(8, 16), s, 0.01, async () => {});
      expect(tf.memory().numTensors).toBe(before);
      disposeAll([r]);
    }
  });

  it('REWARDKIT_PARAMETER_STORE overrides auto, an explicit choice wins over it, a typo is refused', () => {
    expect(resolveStoreKind('auto', 10, {})).toBe('host'); // cpu
    expect(resolveStoreKind('auto', 10, { [PARAMETER_STORE_ENV]: 'device' })).toBe('device');
    expect(resolveStoreKind('host', 10, { [PARAMETER_STORE_ENV]: 'device' })).toBe('host');
    expect(() => resolveStoreKind('auto', 10, { [PARAMETER_STORE_ENV]: 'gpu' })).toThrow(/REWARDKIT_PARAMETER_STORE=gpu: expected 'host' or 'device'/);
  });

  it('the host store is the default off webgpu, and its theta accessor is refused on the device store', () => {
    const r = new Replica(tinyModel(VOCAB), plainBradleyTerry, cfg);
    expect(r.store.kind).toBe('host');
    const d = replicaOn('device');
    expect(() => d.theta).toThrow(/parameters live on the device.*snapshot/);
    expect(hasFusedAdamW()).toBe(false);
    disposeAll([r, d]);
  });
});

describe('LossOutput.count is the divisor', () => {
  useBackend('cpu');
  const pairs = randomPairs(16, VOCAB, EOS, 23);
  // The same mean loss expressed over twice as many units (as a K-wise loss would count).
  const doubled: LossFn = (input) => {
    const { lossSum, count } = plainBradleyTerry(input);
    return { lossSum: tf.tidy(() => tf.mul(lossSum, 2) as tf.Scalar), count: 2 * count };
  };

  for (const store of ['host', 'device'] as const) {
    it(`${store}: a loss over other units divides by its own count, accuracy stays per pair`, async () => {
      const plain = new Replica(frozenTinyModel(), plainBradleyTerry, { ...cfg, store });
      const other = new Replica(frozenTinyModel(), doubled, { ...cfg, store });
      for (let step = 1; step <= 3; step++) {
        const batch = pairs.slice(4 * (step - 1), 4 * (step - 1) + 8);
        const a = await stepOf(plain, batch, step, 0.02);
        const b = await stepOf(other, batch, step, 0.02);
        expect(b).toMatchObject({ pairs: 8, count: 16, accuracy: a.accuracy });
        expect(a.count).toBe(8);
        expect(b.loss).toBeCloseTo(a.loss, 6);
        expect(b.gradNorm).toBeCloseTo(a.gradNorm, 6);
      }
      expect(maxRelDiff((await other.snapshot()).theta, (await plain.snapshot()).theta)).toBeLessThan(1e-6);
      [plain, other].forEach((r) => (r.dispose(), r.model.dispose()));
    });
  }
});

describe('readGradients', () => {
  useBackend('cpu');
  it('reads per-parameter gradients and a stats tail in buckets into the right places, a missing gradient as zeros', async () => {
    const shapes = [[3, 5], [7], [4, 4], [2]];
    const params = shapes.map((shape, i) => ({ name: `p${i}`, variable: tf.variable(tf.zeros(shape)) }));
    const layout = new ParameterLayout(params);
    const values = Float32Array.from({ length: layout.size }, (_, i) => i * 0.5 - 7);
    const grads: tf.NamedTensorMap = {};
    layout.slots.forEach((slot, i) => {
      if (i === 2) return values.fill(0, slot.offset, slot.offset + slot.size); // no gradient reached p2
      grads[params[i].variable.name] = tf.tensor(values.slice(slot.offset, slot.offset + slot.size), slot.shape as number[]);
    });
    const tail = tf.tensor1d([11, 12, 13, 14]);
    const want = [...values, 11, 12, 13, 14];
    for (const [bytes, buckets] of [
      [4 * 1000, 1],
      [4 * 10, 5],
      [4 * want.length, 1],
      [4 * 3, 15],
      [4 * 40, 2],
    ] as const) {
      const out = new Float32Array(want.length + 2).fill(NaN);
      const before = tf.memory().numTensors;
      expect(await readGradients(layout, grads, tail, out, bytes)).toBe(buckets);
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(out.subarray(0, want.length))).toEqual(want);
      expect(Number.isNaN(out[want.length])).toBe(true);
    }
    tf.dispose([tail, ...Object.values(grads), ...params.map((p) => p.variable)]);
  });
});
