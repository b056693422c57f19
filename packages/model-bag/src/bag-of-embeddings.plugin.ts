import * as tf from '@tensorflow/tfjs-core';
import type { ModelContext, ModelPlugin, NamedParameter, RewardModel, SequenceBatch } from '@rewardkit/core';
import { z } from 'zod';
import { bagFeatures } from './bag-features';

export const BagConfigSchema = z
  .object({
    dim: z.number().int().min(1).default(32), // embedding width: 32 is plenty for 1-2k pairs
    hidden: z.number().int().min(0).default(32), // MLP width; 0 makes the head linear
    bigramBuckets: z.number().int().min(0).default(65536), // hashed bigrams see short phrases ("I can't")
    includePrompt: z.boolean().default(false), // the prompt is shared by both responses: mostly noise here
    initStd: z.number().positive().default(0.02), // small init keeps early rewards near 0
  })
  .strict();
export type BagConfig = z.infer<typeof BagConfigSchema>;

/**
 * r(x, y) = w2 . tanh(W1 mean(E[features(y)]) + b1): a mean of token (and hashed bigram)
 * embeddings through a small MLP. Order-blind, fast, and a strong baseline on small data.
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
  const embed = init([rowsInTable, cfg.dim], cfg.initStd);
  const parameters: NamedParameter[] = [{ name: 'embed.weight', variable: embed }];
  const linear = cfg.hidden === 0;
  const w1 = linear ? undefined : init([cfg.dim, cfg.hidden], 1 / Math.sqrt(cfg.dim));
  const b1 = linear ? undefined : zeros([cfg.hidden]);
  const w2 = init([linear ? cfg.dim : cfg.hidden, 1], linear ? cfg.initStd : 1 / Math.sqrt(cfg.hidden));
  if (w1 && b1) parameters.push({ name: 'mlp.fc.weight', variable: w1 }, { name: 'mlp.fc.bias', variable: b1 });
  // No output bias: Bradley-Terry sees only r(y_w) - r(y_l), so a bias has an exactly-zero gradient
  // whose float32 residue Adam would amplify into a random walk (and replicas would disagree).
  parameters.push({ name: 'head.weight', variable: w2 });

  return {
    parameters,
    score(batch: SequenceBatch): tf.Tensor1D {
      const f = bagFeatures(batch, { vocabSize: ctx.vocabSize, bigramBuckets: cfg.bigramBuckets, includePrompt: cfg.includePrompt });
      return tf.tidy(() => {
        const ids = tf.tensor1d(f.ids, 'int32');
        const weights = tf.tensor2d(f.weights, [f.count, 1]);
        const rows = tf.tensor1d(f.rows, 'int32');
        const vectors = tf.mul(tf.gather(embed, ids), weights); // [F, D]
        const pooled = tf.unsortedSegmentSum(vectors, rows, batch.rows) as tf.Tensor2D; // [B, D]
        const h = w1 && b1 ? tf.tanh(tf.add(tf.matMul(pooled, w1), b1)) : pooled; // [B, H]
        return tf.reshape(tf.matMul(h, w2), [batch.rows]) as tf.Tensor1D; // [B]
      });
    },
    flopsPerToken: () => {
      const features = cfg.bigramBuckets > 0 ? 2 : 1;
      // gather + weight + segment sum per feature; the MLP runs once per row, not per token
      return features * 3 * cfg.dim;
    },
    dispose: () => parameters.forEach((p) => p.variable.dispose()),
  };
}

export const bagOfEmbeddings: ModelPlugin<BagConfig> = {
  kind: 'model',
  name: 'bag-of-embeddings',
  description: 'mean of token and hashed-bigram embeddings through a small MLP (fast baseline)',
  configSchema: BagConfigSchema,
  create: createBagModel,
};
