import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type ModelContext, type ModelPlugin, type NamedParameter, type RewardModel, type SequenceBatch } from '@rewardkit/core';
import { z } from 'zod';
import { bagFeatures } from './bag-features';

export const BagConfigSchema = z
  .object({
    // Width of the deep part's embeddings; 0 leaves only the wide part. Off by default: on the 1.7k-pair
    // HH-RLHF sample, adding it (dim 8-32) lowered held-out accuracy from 0.627 to 0.57-0.59 (it memorises).
    dim: z.number().int().min(0).default(0),
    hidden: z.number().int().min(0).default(32), // MLP width of the deep part; 0 makes its head linear
    bigramBuckets: z.number().int().min(0).default(65536), // hashed bigrams see short phrases ("I can't")
    includePrompt: z.boolean().default(false), // the prompt is shared by both responses: mostly noise here
    pool: z.enum(['sqrt', 'mean']).default('sqrt'), // sum / sqrt(n): beat the mean on HH-RLHF (see bag-features.ts)
    wide: z.boolean().default(true), // add a linear per-feature weight (the "wide" part): a bag-of-words BT model
    initStd: z.number().positive().default(0.02), // small init keeps early rewards near 0
  })
  .strict();
export type BagConfig = z.infer<typeof BagConfigSchema>;

/**
 * Wide and deep over a bag of features: with p = pool(E[features(y)]),
 *   r(x, y) = p[D] + w2 . tanh(W1 p[0:D] + b1)
 * The last embedding column (zero at init) is a per-feature linear weight, the bag-of-words
 * Bradley-Terry model that is strong on small data; the first D columns feed a small MLP that
 * can learn interactions. Order-blind and fast.
 */
export function createBagModel(cfg: BagConfig, ctx: ModelContext): RewardModel {
  const rowsInTable = ctx.vocabSize + cfg.bigramBuckets;
  let seed = ctx.seed;
  const own = (t: tf.Tensor) => {
    const v = tf.variable(t);
    t.dispose(); // the variable holds its own reference
    return v;
  };
  const init = (shape: number[], std: number) => own(tf.randomNormal(shape, 0, std, 'float32', seed++));
  const zeros = (shape: number[]) => own(tf.zeros(shape));
  const width = cfg.dim + (cfg.wide ? 1 : 0);
  const embed = own(
    tf.tidy(() => {
      const deep = tf.randomNormal([rowsInTable, cfg.dim], 0, cfg.initStd, 'float32', seed++);
      return cfg.wide ? tf.concat([deep, tf.zeros([rowsInTable, 1])], 1) : deep; // [V', D(+1)]
    }),
  );
  const parameters: NamedParameter[] = [{ name: 'embed.weight', variable: embed }];
  if (cfg.dim === 0 && !cfg.wide) throw new ConfigError('bag-of-embeddings: dim 0 needs wide: true (nothing to score with)');
  const deep = cfg.dim > 0;
  const linear = cfg.hidden === 0;
  const w1 = deep && !linear ? init([cfg.dim, cfg.hidden], 1 / Math.sqrt(cfg.dim)) : undefined;
  const b1 = deep && !linear ? zeros([cfg.hidden]) : undefined;
  const w2 = deep ? init([linear ? cfg.dim : cfg.hidden, 1], linear ? cfg.initStd : 1 / Math.sqrt(cfg.hidden)) : undefined;
  if (w1 && b1) parameters.push({ name: 'mlp.fc.weight', variable: w1 }, { name: 'mlp.fc.bias', variable: b1 });
  // No output bias: Bradley-Terry sees only r(y_w) - r(y_l), so a bias has an exactly-zero gradient
  // whose float32 residue Adam would amplify into a random walk (and replicas would disagree).
  if (w2) parameters.push({ name: 'head.weight', variable: w2 });

  return {
    parameters,
    score(batch: SequenceBatch): tf.Tensor1D {
      const f = bagFeatures(batch, { vocabSize: ctx.vocabSize, bigramBuckets: cfg.bigramBuckets, includePrompt: cfg.includePrompt, pool: cfg.pool });
      return tf.tidy(() => {
        const ids = tf.tensor1d(f.ids, 'int32');
        const weights = tf.tensor2d(f.weights, [f.count, 1]);
        const rows = tf.tensor1d(f.rows, 'int32');
        const vectors = tf.mul(tf.gather(embed, ids), weights); // [F, D(+1)]
        const pooled = tf.unsortedSegmentSum(vectors, rows, batch.rows) as tf.Tensor2D; // [B, D(+1)]
        let r: tf.Tensor = tf.zeros([batch.rows]); // [B]
        if (w2) {
          const deepIn = cfg.wide ? tf.slice(pooled, [0, 0], [batch.rows, cfg.dim]) : pooled; // [B, D]
          const h = w1 && b1 ? tf.tanh(tf.add(tf.matMul(deepIn, w1), b1)) : deepIn; // [B, H]
          r = tf.reshape(tf.matMul(h, w2), [batch.rows]);
        }
        if (cfg.wide) r = tf.add(r, tf.reshape(tf.slice(pooled, [0, cfg.dim], [batch.rows, 1]), [batch.rows]));
        return r as tf.Tensor1D;
      });
    },
    flopsPerToken: () => {
      const features = cfg.bigramBuckets > 0 ? 2 : 1;
      // gather + weight + segment sum per feature; the MLP runs once per row, not per token
      return features * 3 * width;
    },
    dispose: () => parameters.forEach((p) => p.variable.dispose()),
  };
}

export const bagOfEmbeddings: ModelPlugin<BagConfig> = {
  kind: 'model',
  name: 'bag-of-embeddings',
  description: 'wide (linear) and deep (MLP) over pooled token and hashed-bigram embeddings (fast baseline)',
  configSchema: BagConfigSchema,
  create: createBagModel,
};
