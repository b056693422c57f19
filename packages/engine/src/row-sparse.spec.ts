import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, packUnits, PluginError, type EncodedUnit, type RewardModel, type SequenceBatch } from '@rewardkit/core';
import { describeWebGpu, initBackend, stopWebGpu } from '@rewardkit/backend';
import { randomPairs, useBackend } from '@rewardkit/testing';
import { AdamW } from './adamw';
import { BatchSampler } from './batch-sampler';
import { ParameterLayout, type OptimizerRange } from './parameter-layout';
import { maxRelDiff, sumAllReduce } from './parameter-store.spec-helper';
import { Replica } from './replica';
import { RowSparseGradients, type RowSparseMode } from './row-sparse';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry } from './test-model.spec-helper';

const VOCAB = 60;
const EOS = VOCAB - 1;
const DIM = 4;
const cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };

/** Ids at each row's real positions (padding excluded), ascending and distinct. */
function usedIds(batch: SequenceBatch): Int32Array {
  const set = new Set<number>();
  for (let r = 0; r < batch.rows; r++) for (let t = 0; t < batch.lengths[r]; t++) set.add(batch.ids[r * batch.width + t]);
  return Int32Array.from([...set].sort((a, b) => a - b));
}

/**
 * tinyModel (test-model.spec-helper.ts) with a row-sparse table: r = w . mean(E[response ids]),
 * looking up `gatheredRows` in place of E when given (padding then reads local row 0, weight 0).
 */
function tableModel(seed = 3): RewardModel {
  const embed = tf.variable(tf.randomNormal([VOCAB, DIM], 0, 0.5, 'float32', seed));
  const w = tf.variable(tf.randomNormal([DIM, 1], 0, 0.5, 'float32', seed + 1));
  return {
    parameters: [
      { name: 'embed', variable: embed },
      { name: 'w', variable: w },
    ],
    rowsUsed: (batch) => new Map([['embed', usedIds(batch)]]),
    score(batch, options) {
      const mask = new Float32Array(batch.rows * batch.width);
      for (let r = 0; r < batch.rows; r++) {
        const n = batch.lengths[r] - batch.promptLengths[r];
        for (let t = batch.promptLengths[r]; t < batch.lengths[r]; t++) mask[r * batch.width + t] = 1 / n;
      }
      const rows = options?.gatheredRows?.get('embed');
      const ids = rows ? batch.ids.map((id) => Math.max(0, rows.ids.indexOf(id))) : batch.ids;
      return tf.tidy(() => {
        const e = tf.reshape(tf.gather(rows?.table ?? embed, tf.tensor1d(ids, 'int32')), [batch.rows, batch.width, DIM]); // [B, T, D]
        const pooled = tf.sum(tf.mul(e, tf.tensor3d(mask, [batch.rows, batch.width, 1])), 1) as tf.Tensor2D; // [B, D]
        return tf.reshape(tf.matMul(pooled, w), [batch.rows]) as tf.Tensor1D;
      });
    },
    flopsPerToken: () => 2 * DIM,
    dispose: () => [embed, w].forEach((v) => v.dispose()),
  };
}

const replica = (mode: RowSparseMode) => new Replica(tableModel(), plainBradleyTerry, { ...cfg, sparseEmbedding: mode });
const bitIdentical = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/** `steps` steps of `n` replicas on shards of the same batches, all-reduced in memory; returns the replicas. */
async function train(mode: RowSparseMode, n: number, pairs: readonly EncodedUnit[], steps: number, batchSize = 8): Promise<Replica[]> {
  const replicas = Array.from({ length: n }, () => replica(mode));
  const reduce = n > 1 ? sumAllReduce(n) : undefined;
  const sampler = new BatchSampler({ size: pairs.length, batchSize, seed: 5 });
  for (let step = 1; step <= steps; step++) {
    const shards = shardByTokens(sampler.next().map((i) => pairs[i]), n);
    await Promise.all(replicas.map((r, k) => r.trainStep(packUnits(shards[k], EOS), { step, lr: 0.05 }, reduce)));
  }
  return replicas;
}

describe('row-sparse embedding gradients', () => {
  useBackend('wasm');
  const pairs = randomPairs(40, VOCAB, EOS, 11);

  it('the compact gradient, expanded, is the dense gradient bit for bit (U rows of the table, zeros elsewhere)', async () => {
    const model = tableModel();
    const layout = new ParameterLayout(model.parameters);
    const sparse = RowSparseGradients.create(layout, model, 'rows')!;
    const units = packUnits(pairs.slice(0, 10), EOS);
    const loss = (gatheredRows?: Parameters<RowSparseGradients['gradients']>[1]) => () => {
      const r = model.score(units.batch, { gatheredRows });
      const half = r.shape[0] / 2;
      return tf.sum(tf.softplus(tf.neg(tf.sub(tf.slice(r, 0, half), tf.slice(r, half))))) as tf.Scalar;
    };
    const dense = tf.variableGrads(loss(), model.parameters.map((p) => p.variable));
    const want = new Float32Array(layout.size);
    layout.flattenGrads(dense.grads, want);
    const rows = await sparse.agree(units.batch);
    expect(Array.from(rows.ids[0])).toEqual(Array.from(usedIds(units.batch)));
    expect(rows.size).toBe(rows.ids[0].length * DIM + DIM); // the table's used rows, then w
    const gathered = sparse.gather(rows);
    const got = sparse.gradients(loss(gathered), gathered);
    expect(got.grads[model.parameters[0].variable.name].shape).toEqual([rows.ids[0].length, DIM]);
    const compact = await sparse.read(got.grads, new Float32Array([7, 8]), rows);
    const flat = new Float32Array(layout.size + 2).fill(NaN);
    sparse.expand(compact, rows, flat);
    expect(bitIdentical(flat.subarray(0, layout.size), want)).toBe(true);
    expect(Array.from(flat.subarray(layout.size))).toEqual([7, 8]);
    expect(got.value.dataSync()[0]).toBe(dense.value.dataSync()[0]);
    tf.dispose([dense.value, got.value, ...Object.values(dense.grads), ...Object.values(got.grads), ...[...gathered.values()].map((g) => g.table)]);
    model.dispose();
  });

  it("mode 'rows' trains exactly as dense ('off'): parameters and moments bit-identical, alone and through an all-reduce", async () => {
    for (const n of [1, 2]) {
      const off = await train('off', n, pairs, 5);
      const rows = await train('rows', n, pairs, 5);
      for (let k = 0; k < n; k++) {
        const [a, b] = [await rows[k].snapshot(), await off[k].snapshot()];
        expect(bitIdentical(a.theta, b.theta)).toBe(true);
        expect(bitIdentical(a.optimizer.m, b.optimizer.m) && bitIdentical(a.optimizer.v, b.optimizer.v)).toBe(true);
      }
      [...off, ...rows].forEach((r) => r.model.dispose());
    }
  });

  it('N workers reach the parameters of 1 worker on the whole batch, in both sparse modes (one shard empty included)', async () => {
    for (const mode of ['rows', 'lazy'] as const) {
      const [one] = await train(mode, 1, pairs, 5);
      for (const n of [2, 3]) {
        const many = await train(mode, n, pairs, 5);
        for (const r of many) expect(maxRelDiff(r.theta, one.theta)).toBeLessThan(1e-5);
        many.forEach((r) => r.model.dispose());
      }
      // 2 pairs over 3 workers: one rank has nothing, yet joins both all-reduces with the agreed sizes
      const [alone] = await train(mode, 1, pairs, 3, 2);
      const sparse3 = await train(mode, 3, pairs, 3, 2);
      for (const r of sparse3) expect(maxRelDiff(r.theta, alone.theta)).toBeLessThan(1e-5);
      [one, alone, ...sparse3].forEach((r) => r.model.dispose());
    }
  });

  it("mode 'lazy' leaves rows outside the batch alone and differs from dense only there", async () => {
    const [dense] = await train('rows', 1, pairs, 1);
    const [lazy] = await train('lazy', 1, pairs, 1);
    // after one step from zero moments, rows the batch did not use only decayed under dense AdamW
    const init = tableModel().parameters[0].variable.dataSync() as Float32Array;
    const used = new Set<number>();
    for (let i = 0; i < VOCAB; i++) if (lazy.theta[i * DIM] !== init[i * DIM]) used.add(i);
    expect(used.size).toBeGreaterThan(0);
    for (let i = 0; i < VOCAB * DIM; i++) {
      const row = Math.floor(i / DIM);
      if (used.has(row)) expect(lazy.theta[i]).toBe(dense.theta[i]);
      else {
        expect(lazy.theta[i]).toBe(init[i]); // no weight decay either
        expect(dense.theta[i]).toBe(Math.fround(init[i] * (1 - 0.05 * cfg.weightDecay)));
      }
    }
    [dense, lazy].forEach((r) => r.model.dispose());
  });

  it('resumes exactly: a lazy run restored from a snapshot after 3 steps ends bit-identical to one that never stopped', async () => {
    const units = (step: number) => packUnits(pairs.slice((step * 7) % 30, ((step * 7) % 30) + 8), EOS);
    const whole = replica('lazy');
    for (let step = 1; step <= 5; step++) await whole.trainStep(units(step), { step, lr: 0.05 });
    const first = replica('lazy');
    for (let step = 1; step <= 3; step++) await first.trainStep(units(step), { step, lr: 0.05 });
    const resumed = replica('lazy');
    resumed.restore(await first.snapshot());
    for (let step = 4; step <= 5; step++) await resumed.trainStep(units(step), { step, lr: 0.05 });
    const [a, b] = [await resumed.snapshot(), await whole.snapshot()];
    expect(bitIdentical(a.theta, b.theta) && bitIdentical(a.optimizer.m, b.optimizer.m) && bitIdentical(a.optimizer.v, b.optimizer.v)).toBe(true);
    expect(a.optimizer.t).toBe(5);
    [whole, first, resumed].forEach((r) => r.model.dispose());
  });

  it('frees every tensor it makes (agree, gather, gradients, read, update)', async () => {
    for (const mode of ['rows', 'lazy'] as const) {
      const r = replica(mode);
      const units = packUnits(pairs.slice(0, 6), EOS);
      await r.trainStep(units, { step: 1, lr: 0.01 }, sumAllReduce(1));
      const before = tf.memory().numTensors;
      for (let step = 2; step <= 4; step++) await r.trainStep(units, { step, lr: 0.01 }, sumAllReduce(1));
      expect(tf.memory().numTensors).toBe(before);
      r.model.dispose();
    }
  });
});

/** sumAllReduce that refuses ranks handing it buffers of different sizes (a real ring would sum garbage or hang). */
function sameSizeAllReduce(n: number): (buf: Float32Array) => Promise<void> {
  let waiting: { buf: Float32Array; done: (err?: Error) => void }[] = [];
  return (buf) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ buf, done: (err) => (err ? reject(err) : resolve()) });
      if (waiting.length < n) return;
      const all = waiting;
      waiting = [];
      const sizes = all.map((w) => w.buf.length);
      if (sizes.some((x) => x !== sizes[0])) return all.forEach((w) => w.done(new Error(`all-reduce of different sizes: ${sizes.join(', ')}`)));
      const sum = new Float32Array(buf.length);
      for (const w of all) for (let i = 0; i < sum.length; i++) sum[i] += w.buf[i];
      for (const w of all) w.buf.set(sum);
      all.forEach((w) => w.done());
    });
}

describe('row-sparse with either parameter store, and models that break the contract', () => {
  useBackend('wasm');
  const pairs = randomPairs(40, VOCAB, EOS, 13);

  it("refuses 'lazy' with the device store (its AdamW updates every row: lazy would train densely)", () => {
    const model = tableModel();
    expect(() => new Replica(model, plainBradleyTerry, { ...cfg, store: 'device', sparseEmbedding: 'lazy' })).toThrow(ConfigError);
    expect(() => new Replica(model, plainBradleyTerry, { ...cfg, store: 'device', sparseEmbedding: 'lazy' })).toThrow(/'lazy' needs the host parameter store/);
    model.dispose();
  });

  it("'rows': a rank on the device store all-reduces what a host-store rank does, and both reach 1 worker's parameters", async () => {
    const [one] = await train('rows', 1, pairs, 3);
    const ranks = (['host', 'device'] as const).map((store) => new Replica(tableModel(), plainBradleyTerry, { ...cfg, store, sparseEmbedding: 'rows' }));
    const reduce = sameSizeAllReduce(2);
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 5 });
    for (let step = 1; step <= 3; step++) {
      const shards = shardByTokens(sampler.next().map((i) => pairs[i]), 2);
      await Promise.all(ranks.map((r, k) => r.trainStep(packUnits(shards[k], EOS), { step, lr: 0.05 }, reduce)));
    }
    for (const r of ranks) expect(maxRelDiff((await r.snapshot()).theta, one.theta)).toBeLessThan(1e-5);
    [one, ...ranks].forEach((r) => r.model.dispose());
  });

  it('a model that names a table in rowsUsed but never looks up gatheredRows is refused, not left untrained', async () => {
    const model = tableModel();
    const ignoring: RewardModel = { ...model, score: (batch, options) => model.score(batch, { ...options, gatheredRows: undefined }) };
    const r = new Replica(ignoring, plainBradleyTerry, { ...cfg, sparseEmbedding: 'rows' });
    const before = tf.memory().numTensors;
    await expect(r.trainStep(packUnits(pairs.slice(0, 6), EOS), { step: 1, lr: 0.05 })).rejects.toThrow(PluginError);
    await expect(r.trainStep(packUnits(pairs.slice(0, 6), EOS), { step: 1, lr: 0.05 })).rejects.toThrow(/names 'embed' in rowsUsed, but its score did not look up/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a table gradient of the whole table ([V, C]) is refused before it overruns the compact buffer', async () => {
    const model = tableModel();
    const layout = new ParameterLayout(model.parameters);
    const sparse = RowSparseGradients.create(layout, model, 'rows')!;
    const rows = await sparse.agree(packUnits(pairs.slice(0, 4), EOS).batch);
    const grads = { [model.parameters[0].variable.name]: tf.zeros([VOCAB, DIM]), [model.parameters[1].variable.name]: tf.zeros([DIM, 1]) };
    await expect(sparse.read(grads, new Float32Array(4), rows)).rejects.toThrow(new RegExp(`'embed' is \\[${VOCAB}, ${DIM}\\], expected \\[${rows.ids[0].length}, ${DIM}\\]`));
    tf.dispose(Object.values(grads));
    model.dispose();
  });

  it('frees the gathered tables when the backward pass throws', async () => {
    const model = tableModel();
    const failing: RewardModel = {
      ...model,
      score: () => {
        throw new Error('backward failed');
      },
    };
    const r = new Replica(failing, plainBradleyTerry, { ...cfg, sparseEmbedding: 'rows' });
    const before = tf.memory().numTensors;
    await expect(r.trainStep(packUnits(pairs.slice(0, 6), EOS), { step: 1, lr: 0.05 })).rejects.toThrow('backward failed');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('lazy AdamW against a float64 reference', () => {
  it('updates the given ranges as AdamW in float64 would and leaves every other element, moments included, unchanged', () => {
    const table = tf.variable(tf.zeros([8, 3]));
    const layout = new ParameterLayout([{ name: 'table', variable: table }]);
    const opt = new AdamW(cfg, layout);
    const P = layout.size;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const theta = Float32Array.from({ length: P }, rand);
    const ref = { theta: Float64Array.from(theta), m: new Float64Array(P), v: new Float64Array(P) };
    const rowsPerStep = [[1, 4], [4, 6, 7], [0, 1]];
    const lr = 0.01;
    rowsPerStep.forEach((rows, k) => {
      const t = k + 1;
      const grad = Float32Array.from({ length: P }, rand);
      const ranges: OptimizerRange[] = rows.map((r) => ({ start: r * 3, end: r * 3 + 3, decay: true }));
      const before = { theta: Float32Array.from(theta), m: Float32Array.from(opt.m), v: Float32Array.from(opt.v) };
      opt.step(theta, grad, lr, 1, ranges);
      for (const { start, end } of ranges) {
        for (let i = start; i < end; i++) {
          const g = grad[i];
          ref.m[i] = cfg.beta1 * ref.m[i] + (1 - cfg.beta1) * g;
          ref.v[i] = cfg.beta2 * ref.v[i] + (1 - cfg.beta2) * g * g;
          const mhat = ref.m[i] / (1 - cfg.beta1 ** t);
          const vhat = ref.v[i] / (1 - cfg.beta2 ** t);
          ref.theta[i] = ref.theta[i] * (1 - lr * cfg.weightDecay) - (lr * mhat) / (Math.sqrt(vhat) + cfg.eps);
        }
      }
      for (let i = 0; i < P; i++) {
        const active = ranges.some((r) => i >= r.start && i < r.end);
        if (!active) {
          expect([theta[i], opt.m[i], opt.v[i]]).toEqual([before.theta[i], before.m[i], before.v[i]]);
          continue;
        }
        expect(Math.abs(theta[i] - ref.theta[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.theta[i])));
        expect(Math.abs(opt.m[i] - ref.m[i])).toBeLessThan(1e-6 * Math.max(1e-3, Math.abs(ref.m[i])));
        expect(Math.abs(opt.v[i] - ref.v[i])).toBeLessThan(1e-6 * Math.max(1e-6, Math.abs(ref.v[i])));
      }
    });
    table.dispose();
  });
});

// The device store with several workers reads gradients back: with 'rows' it sums the compact
// buffer as the host store does, then uploads the expanded sum (webgpu: the fused AdamW kernel).
describeWebGpu('row-sparse with the device store on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'webgpu' });
  });
  afterAll(() => stopWebGpu());
  const pairs = randomPairs(24, VOCAB, EOS, 17);

  it("'rows' on 2 device-store ranks sums the compact buffer and reaches 1 dense worker's parameters", async () => {
    const make = (mode: RowSparseMode) => new Replica(tableModel(), plainBradleyTerry, { ...cfg, store: 'device', sparseEmbedding: mode });
    const one = make('off');
    const ranks = [make('rows'), make('rows')];
    expect(ranks.map((r) => r.store.kind)).toEqual(['device', 'device']);
    const sizes = new Set<number>();
    const sum = sameSizeAllReduce(2);
    const reduce = (buf: Float32Array) => (sizes.add(buf.length), sum(buf));
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 6, seed: 5 });
    for (let step = 1; step <= 3; step++) {
      const batch = sampler.next().map((i) => pairs[i]);
      await one.trainStep(packUnits(batch, EOS), { step, lr: 0.05 });
      const shards = shardByTokens(batch, 2);
      await Promise.all(ranks.map((r, k) => r.trainStep(packUnits(shards[k], EOS), { step, lr: 0.05 }, reduce)));
    }
    const P = one.layout.size;
    // the presence vector (VOCAB) and compact buffers: never the dense [P + stats] one
    expect(sizes.has(VOCAB)).toBe(true);
    expect([...sizes].every((n) => n < P + 4)).toBe(true);
    const want = (await one.snapshot()).theta;
    for (const r of ranks) expect(maxRelDiff((await r.snapshot()).theta, want)).toBeLessThan(1e-5);
    [one, ...ranks].forEach((r) => (r.dispose(), r.model.dispose()));
  });
});
