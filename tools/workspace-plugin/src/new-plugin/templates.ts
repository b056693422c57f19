/**
 * The source a new plugin starts from, per kind: a working minimal implementation (not a stub)
 * that passes the shared contract suite, with the places to change marked.
 */
export type NewPluginKind = 'loss' | 'eval' | 'model';

export interface Names {
  /** kebab-case plugin name: `focal` */
  readonly name: string;
  /** camelCase value name: `focal` / `myLoss` */
  readonly value: string;
  /** PascalCase type prefix: `Focal` */
  readonly type: string;
}

export function namesOf(name: string): Names {
  const parts = name.split('-');
  const type = parts.map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return { name, value: type[0].toLowerCase() + type.slice(1), type };
}

export function pluginSource(kind: NewPluginKind, n: Names): string {
  switch (kind) {
    case 'loss':
      return `import * as tf from '@tensorflow/tfjs-core';
import type { LossPlugin } from '@rewardkit/core';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    scale: z.number().positive().default(1), // how sharply the loss separates the pair (1: plain Bradley-Terry)
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as a scaled Bradley-Terry loss, softplus(-scale * (r_w - r_l - margin)).
 * Change the body; keep returning a SUM over pairs and the count (the trainer divides by the
 * global pair count), and build it from ops that have gradients on wasm.
 */
export const ${n.value}: LossPlugin<${n.type}Config> = {
  kind: 'loss',
  name: '${n.name}',
  description: '${n.name} pairwise loss (scaled Bradley-Terry to start from)',
  configSchema: ${n.type}ConfigSchema,
  create: (cfg) => ({ rChosen, rRejected, margins }) => ({
    lossSum: tf.tidy(() => tf.sum(tf.softplus(tf.mul(tf.sub(tf.sub(rChosen, rRejected), margins), -cfg.scale))) as tf.Scalar),
    count: rChosen.shape[0],
  }),
};
`;
    case 'eval':
      return `import type { EvalPlugin } from '@rewardkit/core';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    minGap: z.number().min(0).default(1), // a "confident" win needs r_w - r_l above this
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as the share of pairs won by at least \`minGap\`. Return flat numbers (they go to
 * metrics.jsonl); nested objects only appear in reports.
 */
export const ${n.value}: EvalPlugin<${n.type}Config> = {
  kind: 'eval',
  name: '${n.name}',
  description: '${n.name}: share of pairs the model prefers correctly by a clear gap',
  configSchema: ${n.type}ConfigSchema,
  create: (cfg) => ({
    evaluate: ({ chosen, rejected }) => {
      let confident = 0;
      for (let i = 0; i < chosen.length; i++) if (chosen[i] - rejected[i] > cfg.minGap) confident++;
      return { ${n.value.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}_confident: chosen.length ? confident / chosen.length : 0 };
    },
  }),
};
`;
    case 'model':
      return `import * as tf from '@tensorflow/tfjs-core';
import type { ModelPlugin, RewardModel, SequenceBatch } from '@rewardkit/core';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    initStd: z.number().positive().default(0.02), // small init keeps early rewards near 0
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as a linear bag of words, r = mean over response tokens of w[token].
 * Masks and indices are built outside the gradient tape (plain arrays); keep it that way.
 * No output bias: Bradley-Terry cannot see one (see model-bag).
 */
export const ${n.value}: ModelPlugin<${n.type}Config> = {
  kind: 'model',
  name: '${n.name}',
  description: '${n.name} reward model (a linear bag of words to start from)',
  configSchema: ${n.type}ConfigSchema,
  create: (cfg, ctx): RewardModel => {
    const init = tf.randomNormal([ctx.vocabSize, 1], 0, cfg.initStd, 'float32', ctx.seed);
    const table = tf.variable(init);
    init.dispose();
    return {
      parameters: [{ name: 'table.weight', variable: table }],
      score(batch: SequenceBatch) {
        const weights = new Float32Array(batch.rows * batch.width); // [B, T] mean over the response
        for (let b = 0; b < batch.rows; b++) {
          const start = Math.min(batch.promptLengths[b], batch.lengths[b] - 1);
          weights.fill(1 / (batch.lengths[b] - start), b * batch.width + start, b * batch.width + batch.lengths[b]);
        }
        return tf.tidy(() => {
          const perToken = tf.reshape(tf.gather(table, tf.tensor1d(batch.ids, 'int32')), [batch.rows, batch.width]); // [B, T]
          return tf.sum(tf.mul(perToken, tf.tensor2d(weights, [batch.rows, batch.width])), 1) as tf.Tensor1D; // [B]
        });
      },
      flopsPerToken: () => 2,
      dispose: () => table.dispose(),
    };
  },
};
`;
  }
}

export function specSource(kind: NewPluginKind, n: Names): string {
  const suite = { loss: 'describeLossContract', eval: 'describeEvalContract', model: 'describeModelContract' }[kind];
  return `import { ${suite} } from '@rewardkit/testing';
import { ${n.value} } from './${n.name}.plugin';

// The shared contract every ${kind} plugin passes; add your own tests below.
${suite}(${n.value});
`;
}
