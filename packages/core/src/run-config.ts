import fs from 'node:fs';
import { z } from 'zod';
import { BACKEND_PREFERENCES } from './backend-name';
import { ConfigError } from './errors';
import { formatZodError } from './format-zod-error';

/** `{ name, config }`: which plugin of a kind, and its own config (validated by the plugin). */
const pluginRef = (defaultName: string) =>
  z
    .object({
      name: z.string().min(1).default(defaultName),
      config: z.record(z.string(), z.unknown()).default({}),
    })
    .strict()
    .prefault({});

/** Early stopping: evaluated every `evalEvery` steps on the held-out set (`data.eval`). */
const EarlyStopSchema = z
  .object({
    // eval_loss: the held-out mean Bradley-Terry loss -log sigmoid(r_w - r_l), smoother than accuracy
    // on a few hundred pairs (accuracy moves in steps of 1/n and ties often)
    metric: z.enum(['eval_loss', 'accuracy']).default('eval_loss'),
    patience: z.number().int().min(1).default(3), // evaluations without improvement before stopping
    minDelta: z.number().min(0).default(0), // an improvement smaller than this does not count
  })
  .strict();

/** The evaluators rewardkit ships, in report order: what a run config without `evaluators` runs. */
export const SHIPPED_EVALUATORS = ['accuracy', 'reward-stats', 'calibration', 'length-bias', 'sections', 'data-health', 'ranking'] as const;

/** An evaluator by name (default config) or as `{ name, config }`. */
const evaluatorRef = z.union([
  z.string().min(1).transform((name) => ({ name, config: {} as Record<string, unknown> })),
  z.object({ name: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}) }).strict(),
]);

export const RunConfigSchema = z
  .object({
    /** Extra plugin packages, by npm name, loaded and registered at start. */
    plugins: z.array(z.string().min(1)).default([]),
    data: z
      .object({
        /** Training pairs; the trainer app fills in the embedded HH-RLHF sample when absent. */
        train: z.string().min(1).optional(),
        /** Held-out pairs for periodic and final evaluation. */
        eval: z.string().min(1).optional(),
        loader: pluginRef('auto'), // auto: by file extension
        /** Skip (and count) invalid records instead of stopping at the first. */
        skipInvalid: z.boolean().default(false),
        /** Tokens per sequence (prompt + response + EOS); longer pairs are truncated, never dropped. */
        maxLength: z.number().int().min(8).default(512),
      })
      .strict()
      .prefault({}),
    tokenizer: pluginRef('gpt2-bpe'),
    model: pluginRef('bag-of-embeddings'),
    loss: pluginRef('bradley-terry'),
    /**
     * Evaluator plugins run on the held-out set: names, or `{ name, config }` (each plugin validates
     * its own config); parsed to `{ name, config }`. Default: every shipped evaluator; [] runs none.
     */
    evaluators: z.array(evaluatorRef).default(SHIPPED_EVALUATORS.map((name) => ({ name, config: {} }))),
    train: z
      .object({
        /** Optimizer steps; when absent, derived from `epochs` and the data (see `epochs`). */
        steps: z.number().int().min(1).optional(),
        // Without `steps`: ceil(epochs * training units / batchSize) steps, derived once per run and
        // recorded in its config.json. 10.98 gives the 600 steps the default model was tuned with on
        // the 1,748 sample pairs at batch 32 (ceil(10.98 * 1748 / 32) = 600); other data gets as many
        // passes, not as many steps. A model plugin may recommend its own (the transformer: 4.57).
        epochs: z.number().positive().default(10.98),
        /** Stop when held-out figures stop improving, and export the best checkpoint (off when absent). */
        earlyStop: EarlyStopSchema.optional(),
        batchSize: z.number().int().min(1).default(32), // global pairs per step, across all workers
        lr: z.number().positive().default(3e-3), // peak learning rate
        minLrRatio: z.number().min(0).max(1).default(0.1), // cosine decays to lr * minLrRatio
        warmupSteps: z.number().int().min(0).default(30), // linear warm-up from 0
        weightDecay: z.number().min(0).default(0.01), // AdamW decoupled decay (matrices only)
        beta1: z.number().min(0).max(1).default(0.9),
        beta2: z.number().min(0).max(1).default(0.999),
        eps: z.number().positive().default(1e-8),
        clipNorm: z.number().positive().default(1.0), // global gradient-norm clip
        seed: z.number().int().min(0).default(1234), // weights, sampling order, dropout
        /**
         * Decay of a moving average of the parameters (bias-corrected EMA; 0: none). With one, held-out
         * evaluations and the export use the averaged weights; checkpoints carry the average.
         */
        ema: z.number().min(0).lt(1).default(0),
        /**
         * Gradients between workers: 'f32' (exact sums) or 'bf16' (half the bytes on the ring, each hop
         * rounded to bfloat16; counts stay exact). Only matters with gpus > 1.
         */
        gradWire: z.enum(['f32', 'bf16']).default('f32'),
        /**
         * Embedding gradients (models with row-sparse tables: the transformer's wte): 'rows' takes them
         * over the rows the global batch uses, wherever a step reads gradients back (less work and
         * wire; the same gradient as 'off', bit for bit with 1-2 workers, summed in another order on
         * rings of 3+: the compact layout moves elements between ring segments); 'lazy' also updates
         * only those rows (SparseAdam semantics: other rows' moments do not decay that step; different
         * results; the host parameter store only). Measured in BENCHMARKS.md.
         */
        sparseEmbedding: z.enum(['off', 'rows', 'lazy']).default('rows'),
        /**
         * Compute precision: 'f32', or 'f16' (webgpu with shader-f16 only, refused elsewhere): matMuls and
         * fused attention take half-precision operands and accumulate in f32, weights and optimizer stay
         * f32, and the loss is scaled dynamically (skipping steps whose gradient overflows).
         */
        precision: z.enum(['f32', 'f16']).default('f32'),
      })
      .strict()
      .prefault({}),
    /** Held-out evaluation every N steps (0: only at the end). */
    evalEvery: z.number().int().min(0).default(100),
    /** Checkpoint every N steps (0: only at the end). */
    checkpointEvery: z.number().int().min(0).default(100),
    /** Checkpoints kept on disk (the newest). */
    keepCheckpoints: z.number().int().min(1).default(2),
    /** Run directory: config, metrics.jsonl, checkpoints, final/. */
    out: z.string().min(1).default('runs/default'),
    /** Worker processes, one GPU each where a GPU backend is present. */
    gpus: z.number().int().min(1).default(1),
    /** Tensor backend: auto picks tfjs-node-gpu > webgpu (hardware adapter) > tfjs-node > wasm > cpu. */
    backend: z.enum(BACKEND_PREFERENCES).default('auto'),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Validates a run config; `where` names its source in the error. */
export function parseRunConfig(raw: unknown, where = 'run config'): RunConfig {
  const parsed = RunConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${where} is invalid:\n${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Reads a JSON run config file. */
export function readRunConfigFile(file: string): RunConfigInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as RunConfigInput;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Deep-merges plain objects; later wins; arrays are replaced, not merged. */
export function mergeConfig<T>(...layers: readonly unknown[]): T {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (!isObj(a) || !isObj(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return layers.reduce<unknown>((acc, layer) => merge(acc, layer), {}) as T;
}
