import * as tf from '@tensorflow/tfjs-core';
import { lossInput, packUnits, pairIndex, type LossFn, type RewardModel, type SequenceBatch } from '@rewardkit/core';
import { describeWebGpu, initBackend, stopWebGpu } from '@rewardkit/backend';
import { randomPairs } from '@rewardkit/testing';
import { OverlappedGradientReads, reduceOrder, setGradientReadOverlap } from './gradient-overlap';
import { ParameterLayout } from './parameter-layout';
import { readGradients } from './parameter-store-transfer';
import { Replica, type ReplicaConfig } from './replica';
import { sumAllReduce } from './parameter-store.spec-helper';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry } from './test-model.spec-helper';

/**
 * A model whose tape has what the surgery must handle: a parameter read twice (by different
 * nodes, one a tf.customGrad), one read by nothing (no gradient: zeros), parameters of several
 * sizes so buckets split them, and one whose read comes first in the forward but whose gradient
 * completes last in the backward.
 */
function model(vocab: number, seed: number): RewardModel {
  const D = 6;
  const v = (shape: number[], s: number) => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 0.4, 'float32', seed + s)));
  const [embed, w1, b1, w2, unused, scale] = [v([vocab, D], 1), v([D, D], 2), v([D], 3), v([D, 1], 4), v([5], 5), v([1], 6)];
  // customGrad passes (...inputs, save); its typing lumps them into one union
  const square = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return { value: tf.mul(x, x), gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => tf.mul(dy, tf.mul(sx as tf.Tensor, 2)) };
  });
  return {
    parameters: [
      { name: 'scale', variable: scale },
      { name: 'embed', variable: embed },
      { name: 'w1', variable: w1 },
      { name: 'b1', variable: b1 },
      { name: 'unused', variable: unused },
      { name: 'w2', variable: w2 },
    ],
    score(batch: SequenceBatch) {
      return tf.tidy(() => {
        // a one-hot product, not tf.gather: gather's gradient on webgpu sums repeated ids with atomics,
        // in no fixed order, and two backward passes must give the same floats here
        const oneHot = tf.oneHot(tf.tensor1d(batch.ids, 'int32'), vocab) as tf.Tensor2D; // [N, V]
        const e = tf.reshape(tf.matMul(oneHot, embed), [batch.rows, batch.width, D]);
        const pooled = tf.mean(e, 1) as tf.Tensor2D; // [B, D]
        const h = tf.tanh(tf.add(tf.matMul(pooled, w1), b1));
        const h2 = tf.add(h, tf.matMul(pooled, square(w1) as tf.Tensor2D)); // w1 again, through a customGrad
        return tf.mul(tf.reshape(tf.matMul(h2, w2), [batch.rows]), scale) as tf.Tensor1D;
      });
    },
    flopsPerToken: () => 1,
    dispose: () => [embed, w1, b1, w2, unused, scale].forEach((x) => x.dispose()),
  };
}

const cfg: ReplicaConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };
const VOCAB = 30;

/** Three steps through the buffered path (an all-reduce over one rank), overlap on or off: the buffers as read back and the final parameters. */
async function run(overlap: boolean, bucketBytes: number, store: 'host' | 'device'): Promise<{ buffers: Float32Array[]; theta: Float32Array }> {
  const m = model(VOCAB, 11);
  const replica = new Replica(m, plainBradleyTerry, { ...cfg, store, bucketBytes });
  const pairs = randomPairs(12, VOCAB, 20, 5);
  const buffers: Float32Array[] = [];
  setGradientReadOverlap(overlap);
  try {
    for (let s = 0; s < 3; s++) {
      const batch = packUnits(pairs.slice(s * 4, s * 4 + 4), 0);
      // the overlap all-reduces bucket by bucket: put each piece back where it sits in the whole buffer
      const whole = new Float32Array(replica.buffer.length);
      await replica.trainStep(batch, { step: s + 1, lr: 0.05 }, async (buf) => whole.set(buf, buf.byteOffset / 4));
      buffers.push(whole);
    }
    return { buffers, theta: (await replica.snapshot()).theta };
  } finally {
    setGradientReadOverlap(false);
    replica.dispose();
    m.dispose();
  }
}

async function expectIdentical(store: 'host' | 'device'): Promise<void> {
  for (const bucketBytes of [40, 1 << 20]) {
    const before = tf.memory().numTensors;
    const off = await run(false, bucketBytes, store);
    const on = await run(true, bucketBytes, store);
    expect(tf.memory().numTensors).toBe(before);
    expect(on.buffers).toHaveLength(3);
    on.buffers.forEach((b, i) => expect(Array.from(b)).toEqual(Array.from(off.buffers[i] as Float32Array)));
    expect(Array.from(on.theta)).toEqual(Array.from(off.theta));
  }
}

/** One backward pass read both ways; returns how many buckets began during the backward pass. */
async function readBothWays(bucketBytes: number): Promise<number> {
  const m = model(VOCAB, 4);
  const layout = new ParameterLayout(m.parameters);
  const units = packUnits(randomPairs(4, VOCAB, 16, 9), 0);
  const loss: LossFn = plainBradleyTerry;
  const vars = layout.parameters.map((p) => p.variable);
  const f = () => loss(lossInput(m.score(units.batch), units, pairIndex(units))).lossSum;
  const tail = tf.tensor1d([1, 2, 3, 4]);
  const want = new Float32Array(layout.size + 4);
  const got = new Float32Array(layout.size + 4);
  const plain = tf.variableGrads(f, vars);
  await readGradients(layout, plain.grads, tail, want, bucketBytes);
  const reads = new OverlappedGradientReads(layout, got, 4, bucketBytes);
  const tapped = tf.variableGrads(reads.wrap(f, vars), vars);
  const during = reads.startedDuringBackward;
  await reads.finish(tail);
  expect(Array.from(got)).toEqual(Array.from(want));
  expect(Object.keys(tapped.grads).sort()).toEqual(Object.keys(plain.grads).sort()); // 'unused' in neither
  expect(Object.keys(plain.grads)).not.toContain('unused');
  tf.dispose([tail, plain.value, tapped.value, ...Object.values(plain.grads), ...Object.values(tapped.grads)]);
  m.dispose();
  return during;
}

/**
 * `ranks` replicas stepping together through an in-process all-reduce (sums in rank order, so
 * per-bucket and whole-buffer sums are the same floats); the last rank gets an empty shard on the
 * second step. Returns each rank's final parameters and the all-reduce calls' lengths, in order.
 */
async function ranksRun(overlap: boolean, ranks: number, store: 'host' | 'device'): Promise<{ thetas: Float32Array[]; calls: number[][] }> {
  const models = Array.from({ length: ranks }, () => model(VOCAB, 11));
  const replicas = models.map((m) => new Replica(m, plainBradleyTerry, { ...cfg, store, bucketBytes: 64 }));
  const pairs = randomPairs(16, VOCAB, 20, 5);
  const calls = replicas.map(() => [] as number[]);
  setGradientReadOverlap(overlap);
  try {
    for (let s = 0; s < 3; s++) {
      const batch = pairs.slice(s * 5, s * 5 + 5);
      const shards = shardByTokens(batch, ranks);
      if (s === 1) shards[ranks - 1] = []; // a rank with nothing to do still makes every call
      const reduce = sumAllReduce(ranks);
      await Promise.all(
        replicas.map((r, i) =>
          r.trainStep(packUnits(shards[i] ?? [], 0), { step: s + 1, lr: 0.05 }, async (buf) => {
            calls[i]!.push(buf.length);
            await reduce(buf);
          }),
        ),
      );
    }
    return { thetas: await Promise.all(replicas.map(async (r) => (await r.snapshot()).theta)), calls };
  } finally {
    setGradientReadOverlap(false);
    replicas.forEach((r) => r.dispose());
    models.forEach((m) => m.dispose());
  }
}

async function expectRanksIdentical(store: 'host' | 'device'): Promise<void> {
  for (const ranks of [2, 3]) {
    const off = await ranksRun(false, ranks, store);
    const on = await ranksRun(true, ranks, store);
    const P = new ParameterLayout(model(VOCAB, 1).parameters).size;
    // per bucket: every rank the same sequence of calls, gradient-only buckets last-first, then the stats
    const order = reduceOrder(P, P + 4, 64).map(([a, b]) => b - a);
    for (const c of on.calls) expect(c).toEqual([...order, ...order, ...order]);
    for (const c of off.calls) expect(c).toEqual([P + 4, P + 4, P + 4]);
    for (const t of [...on.thetas, ...off.thetas]) expect(Array.from(t)).toEqual(Array.from(off.thetas[0] as Float32Array));
  }
}

describe('copy/backward overlap (gradient-overlap.ts) on cpu', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });

  it('reads the same buffer as readGradients, most buckets started during the backward pass', async () => {
    const before = tf.memory().numTensors;
    expect(await readBothWays(40)).toBeGreaterThan(3);
    expect(await readBothWays(1 << 20)).toBe(0); // one bucket: it holds the statistics, read after
    expect(tf.memory().numTensors).toBe(before);
  });

  it('host store: bit-identical gradient buffers and parameters with overlap on and off', async () => {
    await expectIdentical('host');
  });

  it('2 and 3 ranks (one with an empty shard): the all-reduce per bucket in one order on every rank, parameters bit-identical to one whole-buffer all-reduce', async () => {
    await expectRanksIdentical('host');
  });
});

describeWebGpu('copy/backward overlap on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'webgpu' });
  });
  afterAll(() => stopWebGpu());

  it('reads the same buffer as readGradients, most buckets started during the backward pass', async () => {
    expect(await readBothWays(40)).toBeGreaterThan(3);
  });

  it('device store: bit-identical gradient buffers and parameters with overlap on and off', async () => {
    await expectIdentical('device');
  });

  it('device store, 2 and 3 ranks: per-bucket all-reduce, parameters bit-identical', async () => {
    await expectRanksIdentical('device');
  });
});
