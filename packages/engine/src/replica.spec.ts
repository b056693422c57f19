import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { packUnits, type EncodedRanking, type EncodedUnit, type LossFn } from '@rewardkit/core';
import { randomPairs, useBackend } from '@rewardkit/testing';
import { BatchSampler } from './batch-sampler';
import { checkpointDir, latestCheckpoint, listCheckpoints, pruneCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint';
import { Replica } from './replica';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';
import { maxRelDiff, sumAllReduce } from './parameter-store.spec-helper';

const VOCAB = 40;
const EOS = VOCAB - 1;
const cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };
const newReplica = () => new Replica(tinyModel(VOCAB), plainBradleyTerry, cfg);

/**
 * The shard's gradient buffer (parameters, then the stats) as trainStep hands it to the all-reduce:
 * a world of one whose "all-reduce" copies the buffer. lr 0 leaves the parameters as they were.
 */
async function gradientsOf(r: Replica, units: readonly EncodedUnit[]): Promise<Float32Array> {
  let got: Float32Array | undefined;
  const capture = async (buf: Float32Array) => void (got = Float32Array.from(buf));
  await r.trainStep(packUnits(units, EOS), { step: 1, lr: 0 }, capture).catch((err: Error) => {
    if (units.length) throw err; // an empty batch alone has no divisor: the update refuses it
  });
  return got!;
}

/** One step of N replicas: shard, trainStep on each, the buffers summed by an in-memory all-reduce. */
async function stepTogether(replicas: Replica[], units: readonly EncodedUnit[], lr: number, step = 1): Promise<void> {
  const shards = shardByTokens(units, replicas.length);
  const reduce = replicas.length > 1 ? sumAllReduce(replicas.length) : undefined;
  await Promise.all(replicas.map((r, i) => r.trainStep(packUnits(shards[i], EOS), { step, lr }, reduce)));
}

describe('Replica', () => {
  useBackend('wasm');
  const pairs = randomPairs(24, VOCAB, EOS, 17);

  it('sums: the gradients of shards add up to the gradient of the whole batch', async () => {
    const r = newReplica();
    const whole = await gradientsOf(r, pairs);
    const parts: Float32Array[] = [];
    for (const s of shardByTokens(pairs, 3)) parts.push(await gradientsOf(r, s));
    const sum = new Float32Array(whole.length);
    for (const p of parts) for (let i = 0; i < sum.length; i++) sum[i] += p[i];
    expect(maxRelDiff(sum, whole)).toBeLessThan(1e-5);
    expect(whole[whole.length - 1]).toBe(24); // the pair count rides in the buffer
    r.model.dispose();
  });

  it('N replicas stepping on shards reach the parameters of 1 replica on the whole batch', async () => {
    for (const n of [2, 3, 4]) {
      const one = [newReplica()];
      const many = Array.from({ length: n }, newReplica);
      const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 3 });
      for (let step = 1; step <= 5; step++) {
        const batch = sampler.next().map((i) => pairs[i]);
        await stepTogether(one, batch, 0.05, step);
        await stepTogether(many, batch, 0.05, step);
      }
      for (const r of many) expect(maxRelDiff(r.theta, one[0].theta)).toBeLessThan(1e-5);
      [...one, ...many].forEach((r) => r.model.dispose());
    }
  });

  it('never moves frozen ranges, and keeps their rounding residue out of the gradient norm', async () => {
    const model = tinyModel(VOCAB);
    const frozenModel = { ...model, parameters: model.parameters.map((p) => (p.name === 'w' ? { ...p, frozen: [[1, 3]] as const } : p)) };
    const r = new Replica(frozenModel, plainBradleyTerry, cfg);
    const before = Float32Array.from(r.theta);
    await stepTogether([r], pairs.slice(0, 8), 0.05);
    const w = r.layout.slots.find((s) => s.name === 'w')!;
    expect(Array.from(r.theta.subarray(w.offset + 1, w.offset + 3))).toEqual(Array.from(before.subarray(w.offset + 1, w.offset + 3)));
    expect(r.theta[w.offset]).not.toBe(before[w.offset]);
    model.dispose();
  });

  it('an empty shard contributes zeros', async () => {
    const r = newReplica();
    const buf = await gradientsOf(r, []);
    expect(buf.length).toBe(r.layout.size + 4);
    expect(buf.every((x) => x === 0)).toBe(true);
    r.model.dispose();
  });

  it('does not leak tensors across steps', async () => {
    const r = newReplica();
    await stepTogether([r], pairs.slice(0, 8), 0.01);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await stepTogether([r], pairs.slice(8, 16), 0.01, i + 2);
    expect(tf.memory().numTensors).toBe(before);
    r.model.dispose();
  });
});

describe('Replica on K-wise units', () => {
  useBackend('wasm');
  const seqs = randomPairs(12, VOCAB, EOS, 29).flatMap((p) => [p.chosen, p.rejected]);
  // a 4-ranking with a tie, a 3-ranking, a tie record and a plain pair
  const units: EncodedUnit[] = [
    { id: 'r4', responses: seqs.slice(0, 4), ranks: Int32Array.from([1, 0, 2, 1]), promptLength: 0 } as EncodedRanking,
    { id: 'r3', responses: seqs.slice(4, 7), ranks: Int32Array.from([2, 1, 0]), promptLength: 0 } as EncodedRanking,
    { id: 't', chosen: seqs[7], rejected: seqs[8], promptLength: 0, margin: 0, tie: true },
    { id: 'p', chosen: seqs[9], rejected: seqs[10], promptLength: 0, margin: 0 },
  ];

  it('scores every response once and counts accuracy over strict pairs only', async () => {
    const model = tinyModel(VOCAB);
    const rows: number[] = [];
    const counting = { ...model, score: (b: Parameters<typeof model.score>[0], o?: Parameters<typeof model.score>[1]) => (rows.push(b.rows), model.score(b, o)) };
    const r = new Replica(counting, plainBradleyTerry, cfg);
    const buf = await gradientsOf(r, units);
    expect(rows).toEqual([4 + 3 + 2 + 2]);
    // strict pairs: 6 - 1 tie in r4, 3 in r3, 0 for the tie record, 1 for the pair
    expect(buf[buf.length - 2]).toBe(5 + 3 + 0 + 1);
    expect(buf[buf.length - 1]).toBe(6 + 3 + 1 + 1); // plain BT counts every pair it is given
    model.dispose();
  });

  it('sums over shards of whole units', async () => {
    const r = newReplica();
    const whole = await gradientsOf(r, units);
    const a = await gradientsOf(r, units.slice(0, 2));
    const b = await gradientsOf(r, units.slice(2));
    expect(maxRelDiff(a.map((x, i) => x + b[i]), whole)).toBeLessThan(1e-5);
    r.model.dispose();
  });

  it("trains a loss's own parameters with the model's, without weight decay", async () => {
    const scale = tf.variable(tf.scalar(1));
    const scaled: LossFn = Object.assign((input: Parameters<LossFn>[0]) => {
      const out = plainBradleyTerry({ ...input, rChosen: tf.mul(input.rChosen, scale) as tf.Tensor1D, rRejected: tf.mul(input.rRejected, scale) as tf.Tensor1D });
      return out;
    }, { parameters: [{ name: 'loss.scale', variable: scale }] });
    const model = tinyModel(VOCAB);
    const r = new Replica(model, scaled, cfg);
    expect(r.layout.slots.map((s) => [s.name, s.decay])).toEqual([['embed', true], ['w', true], ['loss.scale', false]]);
    await stepTogether([r], units, 0.05);
    expect(scale.dataSync()[0]).not.toBe(1);
    expect(r.theta[r.layout.size - 1]).toBe(scale.dataSync()[0]);
    model.dispose();
    scale.dispose();
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

  it('resuming from a checkpoint ends with the same parameters as an uninterrupted run', async () => {
    const run = async (from: Replica, sampler: BatchSampler, steps: number[]) => {
      for (const s of steps) await stepTogether([from], sampler.next().map((i) => pairs[i]), 0.02 * (1 + s / 10), s);
    };
    const straight = newReplica();
    const s1 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    await run(straight, s1, [1, 2, 3, 4, 5, 6, 7]);

    const first = newReplica();
    const s2 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    await run(first, s2, [1, 2, 3]);
    writeCheckpoint(runDir, first, { step: 3, sampler: s2.state(), meta: { note: 'x' } });
    first.model.dispose();

    const resumed = newReplica(); // fresh weights, overwritten by the checkpoint
    const state = readCheckpoint(latestCheckpoint(runDir)!, resumed);
    expect(state.step).toBe(3);
    expect(state.meta).toEqual({ note: 'x' });
    const s3 = new BatchSampler({ size: 32, batchSize: 8, seed: 4 });
    s3.restore(state.sampler);
    await run(resumed, s3, [4, 5, 6, 7]);
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
