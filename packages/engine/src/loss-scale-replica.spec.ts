/**
 * Dynamic loss scaling inside the replica step (precision 'f16'): scaling is invisible when no
 * gradient overflows, an overflowing step is skipped on every rank alike, and the scale survives
 * a checkpoint. The f16 kernels themselves are the backend's (webgpu-f16.spec.ts); here the
 * backend computes in f32, so only the scaler's bookkeeping is under test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeWebGpu, initBackend, stopWebGpu } from '@rewardkit/backend';
import { packUnits, type EncodedUnit, type LossFn, type Tokenizer } from '@rewardkit/core';
import { randomPairs, useBackend } from '@rewardkit/testing';
import { BatchSampler } from './batch-sampler';
import { latestCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint';
import { Replica, type ReplicaConfig, type StepOutcome } from './replica';
import { ReplicaService, type GradientReducer } from './replica-service';
import { shardByTokens } from './shard-by-tokens';
import { maxRelDiff, sumAllReduce } from './parameter-store.spec-helper';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';

const VOCAB = 40;
const EOS = VOCAB - 1;
const base: ReplicaConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1, store: 'host' };

/** Bradley-Terry whose loss (so every gradient) turns NaN while `poisoned.on`, as an f16 overflow would. */
function poisonable(poisoned: { on: boolean }): LossFn {
  return (input) => {
    const out = plainBradleyTerry(input);
    if (!poisoned.on) return out;
    const lossSum = tf.tidy(() => tf.mul(out.lossSum, NaN) as tf.Scalar);
    out.lossSum.dispose();
    return { ...out, lossSum };
  };
}

/** A world of one: the service steps without an all-reduce. */
const local: GradientReducer = { rank: 0, worldSize: 1, allReduce: async () => undefined, close: async () => undefined };

/** One step of every replica on its shard of `batch`, concurrently, summed by an in-memory all-reduce. */
function stepAll(replicas: Replica[], batch: readonly EncodedUnit[], step: number): Promise<StepOutcome[]> {
  const shards = shardByTokens(batch, replicas.length);
  const reduce = replicas.length > 1 ? sumAllReduce(replicas.length) : undefined;
  return Promise.all(replicas.map((r, i) => r.trainStep(packUnits(shards[i] as EncodedUnit[], EOS), { step, lr: 0.05 }, reduce)));
}

describe('Replica with dynamic loss scaling (precision f16)', () => {
  useBackend('wasm');
  const pairs = randomPairs(32, VOCAB, EOS, 11);
  const batches = (() => {
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 2 });
    return Array.from({ length: 6 }, () => sampler.next().map((i) => pairs[i] as EncodedUnit));
  })();

  it('changes nothing while gradients stay finite: same losses, gradient norms and parameters as f32', async () => {
    const f32 = new Replica(tinyModel(VOCAB), plainBradleyTerry, base);
    const f16 = new Replica(tinyModel(VOCAB), plainBradleyTerry, { ...base, precision: 'f16' });
    expect([f32.lossScale, f16.lossScale?.scale]).toEqual([undefined, 2 ** 12]); // SUM_LOSS_INIT_SCALE
    for (const [s, batch] of batches.entries()) {
      const [a] = await stepAll([f32], batch, s + 1);
      const [b] = await stepAll([f16], batch, s + 1);
      // the scale is a power of two: scaled gradients divided by count * scale are the same floats
      expect(b!.loss).toBeCloseTo(a!.loss, 6); // the stats carry the unscaled loss
      expect(b!.gradNorm / a!.gradNorm).toBeCloseTo(1, 6); // unscaled before clipping, not 65536x
      expect(b!.skipped).toBeFalsy();
      expect([a!.lossScale, b!.lossScale]).toEqual([undefined, 2 ** 12]); // reported for the metrics (f16 only)
    }
    expect(maxRelDiff(f16.theta, f32.theta)).toBeLessThan(1e-6);
    [f32, f16].forEach((r) => r.model.dispose());
  });

  it('skips an overflowing step on every rank (decided on the summed gradient), halves the scale, then trains on', async () => {
    const poisoned = { on: false };
    // rank 0's loss is poisoned, rank 1's is not: both must still skip, since the sum holds NaN
    const replicas = [poisonable(poisoned), plainBradleyTerry].map((loss) => new Replica(tinyModel(VOCAB), loss, { ...base, precision: 'f16', lossScale: { initScale: 1024 } }));
    const tensors = tf.memory().numTensors;
    await stepAll(replicas, batches[0]!, 1);
    const before = replicas.map((r) => Float32Array.from(r.theta));
    const t = replicas.map((r) => r.optimizer.state().t);
    poisoned.on = true;
    const out = await stepAll(replicas, batches[1]!, 2);
    poisoned.on = false;
    expect(out.map((o) => o.skipped)).toEqual([true, true]);
    expect(out.map((o) => o.lossScale)).toEqual([1024, 1024]); // the scale the overflow happened at
    expect(out.every((o) => Number.isNaN(o.gradNorm))).toBe(true);
    replicas.forEach((r, i) => {
      expect(Array.from(r.theta)).toEqual(Array.from(before[i]!)); // no update, no decay
      expect(r.optimizer.state().t).toBe(t[i]); // AdamW's step count untouched
      expect(r.lossScale!.scale).toBe(512);
    });
    const next = await stepAll(replicas, batches[2]!, 3);
    expect(next.map((o) => o.skipped ?? false)).toEqual([false, false]);
    expect(next.map((o) => o.lossScale)).toEqual([512, 512]);
    expect(maxRelDiff(replicas[1]!.theta, replicas[0]!.theta)).toBe(0); // replicas still identical
    expect(maxRelDiff(replicas[0]!.theta, before[0]!)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensors);
    replicas.forEach((r) => r.model.dispose());
  });

  it('a skipped step does not join the moving average (train.ema): it changed no weight', async () => {
    const poisoned = { on: false };
    const service = new ReplicaService(new Replica(tinyModel(VOCAB), poisonable(poisoned), { ...base, precision: 'f16' }), { padId: EOS } as Tokenizer, local, { ema: 0.5 });
    const step = (n: number) => service.step({ step: n, lr: 0.05, units: packUnits(batches[n - 1]!, EOS) });
    await step(1);
    const average = Float32Array.from(service.average!.average);
    poisoned.on = true;
    expect((await step(2)).skipped).toBe(true);
    poisoned.on = false;
    expect(service.average!.updates).toBe(1);
    expect(Array.from(service.average!.average)).toEqual(Array.from(average));
    expect((await step(3)).skipped ?? false).toBe(false);
    expect(service.average!.updates).toBe(2);
    await service.close();
  });

  it('checkpoints the scale and its streak, so a resumed run scales as it would have', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-lossscale-'));
    try {
      const opts: ReplicaConfig = { ...base, precision: 'f16', lossScale: { initScale: 4096, growthInterval: 3 } };
      const poisoned = { on: true };
      const first = new Replica(tinyModel(VOCAB), poisonable(poisoned), opts);
      await stepAll([first], batches[0]!, 1); // skipped: 2048
      poisoned.on = false;
      await stepAll([first], batches[1]!, 2);
      await stepAll([first], batches[2]!, 3); // two good steps in a row
      expect(first.lossScale!.state()).toEqual({ scale: 2048, goodSteps: 2 });
      await saveCheckpoint(runDir, first, { step: 3, sampler: { epoch: 0, cursor: 0, order: [] } as never, meta: {} });
      const resumed = new Replica(tinyModel(VOCAB), plainBradleyTerry, opts);
      readCheckpoint(latestCheckpoint(runDir)!, resumed);
      expect(resumed.lossScale!.state()).toEqual({ scale: 2048, goodSteps: 2 });
      await stepAll([resumed], batches[3]!, 4);
      expect(resumed.lossScale!.scale).toBe(4096); // the third good step grows it, as in an uninterrupted run
      const plain = new Replica(tinyModel(VOCAB), plainBradleyTerry, base);
      readCheckpoint(latestCheckpoint(runDir)!, plain); // an f32 replica reads an f16 checkpoint
      expect(plain.lossScale).toBeUndefined();
      [first, resumed, plain].forEach((r) => r.model.dispose());
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});

// A world of one on webgpu keeps the step on the device (Replica.deviceStepAlone): the finite check
// is one scalar read before the fused AdamW update, and a skipped step leaves the device store alone.
describeWebGpu('Replica with loss scaling, device store on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'webgpu' });
  });
  afterAll(() => stopWebGpu());
  const pairs = randomPairs(16, VOCAB, EOS, 13);
  const batch = (i: number) => packUnits(pairs.slice(i * 4, i * 4 + 4), EOS);

  it('skips an overflowing step without touching parameters or moments, then matches the host store', async () => {
    const poisoned = { on: false };
    const opts: ReplicaConfig = { ...base, precision: 'f16', lossScale: { initScale: 256 } };
    const device = new Replica(tinyModel(VOCAB), poisonable(poisoned), { ...opts, store: 'device' });
    const host = new Replica(tinyModel(VOCAB), plainBradleyTerry, opts);
    expect(device.store.kind).toBe('device');
    await device.trainStep(batch(0), { step: 1, lr: 0.05 });
    await host.trainStep(batch(0), { step: 1, lr: 0.05 });
    const before = await device.snapshot();
    const tensors = tf.memory().numTensors;
    poisoned.on = true;
    const out = await device.trainStep(batch(1), { step: 2, lr: 0.05 });
    poisoned.on = false;
    expect([out.skipped, out.lossScale, Number.isNaN(out.gradNorm), Number.isFinite(out.loss)]).toEqual([true, 256, true, false]); // the poisoned loss itself is NaN
    const after = await device.snapshot();
    expect(Array.from(after.theta)).toEqual(Array.from(before.theta));
    expect(Array.from(after.optimizer.v)).toEqual(Array.from(before.optimizer.v));
    expect(after.optimizer.t).toBe(before.optimizer.t);
    expect(device.lossScale!.scale).toBe(128);
    expect(tf.memory().numTensors).toBe(tensors);
    // the host replica skips the same step by the same rule (its own overflow stands in here)
    host.lossScale!.update(false);
    for (const i of [2, 3]) {
      const d = await device.trainStep(batch(i), { step: i + 1, lr: 0.05 });
      const h = await host.trainStep(batch(i), { step: i + 1, lr: 0.05 });
      expect(d.loss).toBeCloseTo(h.loss, 5);
      expect([d.skipped ?? false, d.lossScale]).toEqual([false, 128]);
    }
    expect(maxRelDiff((await device.snapshot()).theta, host.theta)).toBeLessThan(1e-5);
    device.dispose();
    [device, host].forEach((r) => r.model.dispose());
  });
});
