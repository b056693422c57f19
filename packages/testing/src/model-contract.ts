import * as tf from '@tensorflow/tfjs-core';
import { packSequences, type GatheredRows, type ModelContext, type ModelPlugin, type RewardModel } from '@rewardkit/core';
import { describePluginContract } from './plugin-contract';
import { randomBatch } from './random-batch';
import { expectNoTensorLeak } from './tensor-leaks';
import { useBackend } from './use-backend';

export interface ModelContractOptions {
  readonly config?: unknown;
  readonly vocabSize?: number;
  readonly backend?: 'wasm' | 'cpu';
}

/**
 * The shared suite every model plugin runs: shapes, seeded determinism, padding independence,
 * a gradient for every parameter, no leaked tensors.
 */
export function describeModelContract(plugin: ModelPlugin, opts: ModelContractOptions = {}): void {
  describePluginContract(plugin);
  const vocabSize = opts.vocabSize ?? 64;
  const ctx: ModelContext = { vocabSize, eosId: vocabSize - 1, padId: vocabSize - 1, seed: 7 };
  const make = (seed = ctx.seed): RewardModel => plugin.create(plugin.configSchema.parse(opts.config ?? {}), { ...ctx, seed });

  describe(`model contract: ${plugin.name} on ${opts.backend ?? 'wasm'}`, () => {
    useBackend(opts.backend ?? 'wasm');

    it('scores one finite reward per row', async () => {
      const model = make();
      const batch = randomBatch(5, vocabSize, ctx.eosId, ctx.padId);
      const r = await expectNoTensorLeak(() => tf.tidy(() => model.score(batch).arraySync()));
      expect(r).toHaveLength(5);
      r.forEach((x) => expect(Number.isFinite(x)).toBe(true));
      expect(model.flopsPerToken()).toBeGreaterThan(0);
      model.dispose();
    });

    it('has uniquely named float32 parameters and seeds them deterministically', () => {
      const a = make(1);
      const b = make(1);
      const c = make(2);
      const names = a.parameters.map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
      a.parameters.forEach((p, i) => {
        expect(p.variable.dtype).toBe('float32');
        expect(Array.from(p.variable.dataSync())).toEqual(Array.from(b.parameters[i].variable.dataSync()));
      });
      const differs = a.parameters.some((p, i) => {
        const x = p.variable.dataSync();
        const y = c.parameters[i].variable.dataSync();
        return x.some((v, j) => v !== y[j]);
      });
      // a model initialised to constants (e.g. zeros) has nothing for the seed to change
      const random = a.parameters.some((p) => {
        const x = p.variable.dataSync();
        return x.some((v) => v !== x[0]);
      });
      if (random) expect(differs).toBe(true);
      [a, b, c].forEach((m) => m.dispose());
    });

    it('gives a row the same score alone and inside a padded batch', () => {
      const model = make();
      const batch = randomBatch(6, vocabSize, ctx.eosId, ctx.padId, 3);
      const together = tf.tidy(() => model.score(batch).arraySync());
      for (let b = 0; b < batch.rows; b++) {
        const row = batch.ids.slice(b * batch.width, b * batch.width + batch.lengths[b]);
        const alone = tf.tidy(() => model.score(packSequences([row], [batch.promptLengths[b]], ctx.padId)).arraySync());
        expect(alone[0]).toBeCloseTo(together[b], 5);
      }
      model.dispose();
    });

    it('has a finite, non-zero gradient for every parameter and leaks nothing', async () => {
      const model = make();
      const batch = randomBatch(4, vocabSize, ctx.eosId, ctx.padId, 5);
      const weights = [0.7, -1.3, 0.4, 1.1];
      await expectNoTensorLeak(() => {
        const { value, grads } = tf.variableGrads(
          // a fixed random projection of the scores: non-zero gradients even at a zero init
          () => tf.sum(tf.mul(model.score(batch), tf.tensor1d(weights))) as tf.Scalar,
          model.parameters.map((p) => p.variable),
        );
        for (const p of model.parameters) {
          const g = grads[p.variable.name];
          expect(g).toBeDefined();
          const data = g.dataSync();
          expect(data.every(Number.isFinite)).toBe(true);
          expect(data.some((x) => x !== 0)).toBe(true);
        }
        value.dispose();
        tf.dispose(grads);
      });
      model.dispose();
    });

    // Row-sparse training (RewardModel.rowsUsed, ScoreOptions.gatheredRows): a model that names a
    // table must look up the gathered rows in its place, or the trainer's table never trains.
    it('rowsUsed (where declared): 2-D tables, rows ascending and distinct, gathered rows give the dense scores and gradient', async () => {
      const model = make();
      if (!model.rowsUsed) return model.dispose();
      const batch = randomBatch(4, vocabSize, ctx.eosId, ctx.padId, 9);
      const used = model.rowsUsed(batch);
      expect(used.size).toBeGreaterThan(0);
      const weights = [0.7, -1.3, 0.4, 1.1];
      await expectNoTensorLeak(() => {
        const gathered = new Map<string, GatheredRows>();
        for (const [name, ids] of used) {
          const p = model.parameters.find((q) => q.name === name);
          expect(p && p.variable.rank).toBe(2);
          const rows = p!.variable.shape[0];
          expect(ids.length).toBeGreaterThan(0);
          ids.forEach((id, i) => expect(id >= 0 && id < rows && (i === 0 || id > ids[i - 1])).toBe(true));
          gathered.set(name, { ids, table: tf.tidy(() => tf.gather(p!.variable, tf.tensor1d(ids, 'int32'))) as tf.Tensor2D });
        }
        const objective = (g?: ReadonlyMap<string, GatheredRows>) => () => tf.sum(tf.mul(model.score(batch, { gatheredRows: g }), tf.tensor1d(weights))) as tf.Scalar;
        const dense = tf.variableGrads(objective(), model.parameters.map((p) => p.variable));
        const tables = [...gathered.values()].map((g) => g.table);
        const sparse = tf.engine().gradients(objective(gathered), tables, undefined, true);
        expect(sparse.value.dataSync()[0]).toBeCloseTo(dense.value.dataSync()[0], 4);
        [...gathered].forEach(([name, { ids, table }], k) => {
          const g = sparse.grads[k];
          // undefined: the score never looked the gathered rows up (it read the whole table)
          expect(g).toBeDefined();
          expect(g.shape).toEqual(table.shape);
          const width = table.shape[1];
          const full = dense.grads[model.parameters.find((q) => q.name === name)!.variable.name].dataSync();
          const rows = g.dataSync();
          const inRows = new Set(ids);
          let scale = 0;
          for (const x of full) scale = Math.max(scale, Math.abs(x));
          for (let r = 0; r < full.length / width; r++) {
            for (let c = 0; c < width; c++) {
              const want = full[r * width + c];
              if (!inRows.has(r)) expect(want).toBe(0); // no gradient outside the rows it names
            }
          }
          ids.forEach((id, i) => {
            for (let c = 0; c < width; c++) expect(Math.abs(rows[i * width + c] - full[id * width + c])).toBeLessThanOrEqual(1e-5 * scale);
          });
        });
        tf.dispose([dense.value, sparse.value, ...Object.values(dense.grads), ...sparse.grads.filter((g) => g), ...tables]);
      });
      model.dispose();
    });

    it('frees its variables on dispose', () => {
      const before = tf.memory().numTensors;
      const model = make();
      expect(tf.memory().numTensors).toBeGreaterThan(before);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
