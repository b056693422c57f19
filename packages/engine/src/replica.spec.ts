import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { packUnits, type EncodedPair } from '@rewardkit/core';
import { randomPairs, useBackend } from '@rewardkit/testing';
import { BatchSampler } from './batch-sampler';
import { checkpointDir, latestCheckpoint, listCheckpoints, pruneCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint';
import { Replica } from './replica';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';
import { maxRelDiff } from './parameter-store.spec-helper';

const VOCAB = 40;
const EOS = VOCAB - 1;
const cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };
const newReplica = () => new Replica(tinyModel(VOCAB), plainBradleyTerry, cfg);
const gradientsOf = (r: Replica, pairs: readonly EncodedPair[]) => Float32Array.from(r.computeGradients(packUnits(pairs, EOS)));

/** One step of N replicas: shard, compute, sum the buffers (a stand-in all-reduce), update all. */
function stepTogether(replicas: Replica[], pairs: readonly EncodedPair[], lr: number): void {
  const shards = shardByTokens(pairs, replicas.length);
  const bufs = replicas.map((r, i) => gradientsOf(r, shards[i]));
  const sum = new Float32Array(bufs[0].length);
  for (const b of bufs) for (let i = 0; i < sum.length; i++) sum[i] += b[i];
  for (const r of replicas) r.applyUpdate(Float32Array.from(sum), lr);
}


describe('Replica', () => {
  useBackend('wasm');
  const pairs = randomPairs(24, VOCAB, EOS, 17);

  it('sums: the gradients of shards add up to the gradient of the whole batch', () => {
    const r = newReplica();
    const whole = gradientsOf(r, pairs);
    const parts = shardByTokens(pairs, 3).map((s) => gradientsOf(r, s));
    const sum = new Float32Array(whole.length);
    for (const p of parts) for (let i = 0; i < sum.length; i++) sum[i] += p[i];
    expect(maxRelDiff(sum, whole)).toBeLessThan(1e-5);
    expect(whole[whole.length - 1]).toBe(24); // the pair count rides in the buffer
    r.model.dispose();
  });

  it('N replicas stepping on shards reach the parameters of 1 replica on the whole batch', () => {
    for (const n of [2, 3, 4]) {
      const one = [newReplica()];
      const many = Array.from({ length: n }, newReplica);
      const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 3 });
      for (let step = 1; step <= 5; step++) {
        const batch = sampler.next().map((i) => pairs[i]);
        stepTogether(one, batch, 0.05);
        stepTogether(many, batch, 0.05);
      }
      for (const r of many) expect(maxRelDiff(r.theta, one[0].theta)).toBeLessThan(1e-5);
      [...one, ...many].forEach((r) => r.model.dispose());
    }
  });

  it('never moves frozen ranges, and keeps their rounding residue out of the gradient norm', () => {
    const model = tinyModel(VOCAB);
    const frozenModel = { ...model, parameters: model.parameters.map((p) => (p.name === 'w' ? { ...p, frozen: [[1, 3]] as const } : p)) };
    const r = new Replica(frozenModel, plainBradleyTerry, cfg);
    const before = Float32Array.from(r.theta);
    stepTogether([r], pairs.slice(0, 8), 0.05);
    const w = r.layout.slots.find((s) => s.name === 'w')!;
    expect(Array.from(r.theta.subarray(w.offset + 1, w.offset + 3))).toEqual(Array.from(before.subarray(w.offset + 1, w.offset + 3)));
    expect(r.theta[w.offset]).not.toBe(before[w.offset]);
    model.dispose();
  });

  it('an empty shard contributes zeros', () => {
    const r = newReplica();
    const buf = r.computeGradients(packUnits([], EOS));
    expect(buf.every((x) => x === 0)).toBe(true);
    r.model.dispose();
  });

  it('does not leak tensors across steps', () => {
    const r = newReplica();
    stepTogether([r], pairs.slice(0, 8), 0.01);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) stepTogether([r], pairs.slice(8, 16), 0.01);
    expect(tf.memory().numTensors).toBe(before);
    r.model.dispose();
  });
});

describe('checkpoints', () => {
  let runDir: string;
  useBackend('wasm');
  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-ckpt-'));
  });
  afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));
  const pairs = randomPairs(32, VOCAB, EOS, 5);

  it('resuming from a checkpoint ends with the same parameters as an uninterrupted run', () => {
    const run = (from: Replica, sampler: BatchSampler, steps: number[]) => {
      for (const s of steps) stepTogether([from], sampler.next().map((i) => pairs[i]), 0.02 * (1 + s / 10));
    };
    const straight = newReplica();
    const s1 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    run(straight, s1, [1, 2, 3, 4, 5, 6, 7]);

    const first = newReplica();
    const s2 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    run(first, s2, [1, 2, 3]);
    writeCheckpoint(runDir, first, { step: 3, sampler: s2.state(), meta: { note: 'x' } });
    first.model.dispose();

    const resumed = newReplica(); // fresh weights, overwritten by the checkpoint
    const state = readCheckpoint(latestCheckpoint(runDir)!, resumed);
    expect(state.step).toBe(3);
    expect(state.meta).toEqual({ note: 'x' });
    const s3 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    s3.restore(state.sampler);
    run(resumed, s3, [4, 5, 6, 7]);
    expect(Array.from(resumed.theta)).toEqual(Array.from(straight.theta));
    straight.model.dispose();
    resumed.model.dispose();
  });

  it('lists only completed checkpoints and prunes the oldest', () => {
    const r = newReplica();
    const sampler = { epoch: 0, cursor: 0 };
    for (const step of [10, 20, 30]) writeCheckpoint(runDir, r, { step, sampler, meta: {} });
    fs.mkdirSync(`${checkpointDir(runDir, 40)}.tmp-999`, { recursive: true }); // a crash mid-write
    expect(latestCheckpoint(runDir)).toBe(checkpointDir(runDir, 30));
    pruneCheckpoints(runDir, 2);
    expect(listCheckpoints(runDir)).toEqual([checkpointDir(runDir, 20), checkpointDir(runDir, 30)]);
    expect(fs.readdirSync(path.join(runDir, 'checkpoints'))).toHaveLength(2);
    r.model.dispose();
  });

  it('refuses a checkpoint whose shapes do not match the model', () => {
    const r = newReplica();
    writeCheckpoint(runDir, r, { step: 1, sampler: { epoch: 0, cursor: 0 }, meta: {} });
    const other = new Replica(tinyModel(VOCAB, 6), plainBradleyTerry, cfg);
    expect(() => readCheckpoint(checkpointDir(runDir, 1), other)).toThrow(/tensor "embed" has shape \[40,4\], the model expects \[40,6\]/);
    r.model.dispose();
    other.model.dispose();
  });
});
