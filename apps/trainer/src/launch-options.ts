import { Command, InvalidArgumentError, Option } from 'commander';
import {
  BACKEND_PREFERENCES,
  ConfigError,
  createLogger,
  mergeConfig,
  parseRunConfig,
  parseSetOverride,
  readRunConfigFile,
  RunConfigSchema,
  type RunConfig,
  type RunConfigInput,
} from '@rewardkit/core';
import { createShippedRegistry } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { CLUSTER_KINDS, type ClusterKind } from './cluster-env';

export interface LaunchOptions {
  readonly config?: string;
  readonly train?: string;
  readonly eval?: string;
  readonly out?: string;
  readonly model?: string;
  readonly loss?: string;
  readonly tokenizer?: string;
  readonly steps?: number;
  readonly epochs?: number;
  readonly earlyStop?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  readonly maxLength?: number;
  readonly evalEvery?: number;
  readonly checkpointEvery?: number;
  readonly gpus?: number;
  readonly backend?: RunConfig['backend'];
  readonly skipInvalid?: boolean;
  readonly plugin?: string[];
  readonly set?: string[];
  readonly resume?: boolean;
  readonly overwrite?: boolean;
  readonly oversubscribe?: boolean;
  readonly bind: string;
  readonly externalWorkers?: boolean;
  readonly token?: string;
  readonly job?: string;
  /** Rank, world size and coordinator from a scheduler's environment (cluster-env.ts). */
  readonly cluster?: ClusterKind;
}

const log = createLogger('trainer');

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${v}"`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The `launch` command's options; each maps onto a run-config field. */
export function addLaunchOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON run config; options below override it')
    .option('--train <file>', 'training pairs (.jsonl, .json, .parquet); default: the embedded HH-RLHF sample')
    .option('--eval <file>', 'held-out pairs; default: the embedded HH-RLHF test split')
    .option('--out <dir>', 'run directory (config, metrics.jsonl, checkpoints, final/)')
    .option('--model <name>', 'model plugin (bag-of-embeddings, transformer, ...)')
    .option('--loss <name>', 'loss plugin (bradley-terry, ...)')
    .option('--tokenizer <name>', 'tokenizer plugin (gpt2-bpe, huggingface)')
    .option('--steps <k>', 'optimizer steps (default: --epochs over the training data)', int('--steps'))
    .option('--epochs <x>', 'passes over the training data when --steps is not given (default: the model\'s recommendation)', num('--epochs'))
    .option('--early-stop <patience>', 'stop after <patience> held-out evaluations without a lower held-out loss, export the best step (train.earlyStop)', int('--early-stop'))
    .option('--batch-size <n>', 'global pairs per step, across all workers', int('--batch-size'))
    .option('--lr <x>', 'peak learning rate', num('--lr'))
    .option('--seed <n>', 'seed for weights and sampling order', int('--seed'))
    .option('--max-length <n>', 'tokens per sequence; longer pairs are truncated', int('--max-length'))
    .option('--eval-every <n>', 'held-out evaluation every n steps (0: at the end only)', int('--eval-every'))
    .option('--checkpoint-every <n>', 'checkpoint every n steps (0: at the end only)', int('--checkpoint-every'))
    .option('--gpus <n>', 'worker processes, one GPU each when a GPU backend is present (default: one per GPU; without one, as many CPU cores as the model\'s step has work for)', int('--gpus'))
    .addOption(new Option('--backend <name>', 'tensor backend').choices(BACKEND_PREFERENCES))
    .option('--skip-invalid', 'skip (and count) invalid records instead of stopping')
    .option('--plugin <package>', 'load an external plugin package (repeatable)', collect)
    .option('--set <key=value>', 'override any config field, e.g. model.config.dim=64 (repeatable)', collect)
    .option('--resume', 'continue from the newest checkpoint in --out (same config; only --steps may change)')
    .option('--overwrite', 'replace the run already in --out (without it, an existing run is refused)')
    .option('--oversubscribe', 'start more than 4 local workers per GPU (or per CPU core without one)')
    .option('--bind <address>', 'coordinator address for workers (loopback unless told otherwise)', 'tcp://127.0.0.1:0')
    .option('--external-workers', 'do not spawn workers: wait for --gpus workers started with `trainer worker`')
    .option('--token <secret>', 'shared secret external workers must present (default: random, printed)')
    .option('--job <id>', 'job id external workers must name (default: random, printed)')
    .addOption(
      new Option('--cluster <scheduler>', 'one command for every rank a scheduler starts: rank 0 coordinates (and trains), the others are workers; token from $REWARDKIT_TOKEN_FILE or $REWARDKIT_TOKEN')
        .choices(CLUSTER_KINDS)
        .default('none'),
    );
}

/**
 * Resolves the run config: built-in defaults (the embedded HH-RLHF sample), then the chosen
 * model's recommended settings, then the config file, then command-line options, then `--set`
 * overrides; validated once at the end.
 */
export function resolveRunConfig(opts: LaunchOptions): RunConfig {
  const defaults: RunConfigInput = { data: { train: hhRlhf.train, eval: hhRlhf.test } };
  const file = opts.config ? readRunConfigFile(opts.config) : {};
  const flags: RunConfigInput = {
    plugins: opts.plugin,
    data: { train: opts.train, eval: opts.eval, skipInvalid: opts.skipInvalid, maxLength: opts.maxLength },
    model: opts.model ? { name: opts.model } : undefined,
    loss: opts.loss ? { name: opts.loss } : undefined,
    tokenizer: opts.tokenizer ? { name: opts.tokenizer } : undefined,
    train: { steps: opts.steps, epochs: opts.epochs, earlyStop: opts.earlyStop !== undefined ? { patience: opts.earlyStop } : undefined, batchSize: opts.batchSize, lr: opts.lr, seed: opts.seed },
    evalEvery: opts.evalEvery,
    checkpointEvery: opts.checkpointEvery,
    out: opts.out,
    gpus: opts.gpus,
    backend: opts.backend,
  };
  // Switching the model by flag drops the file's config for a different model.
  const fileModel = (file as { model?: { name?: string } }).model;
  if (opts.model && fileModel?.name && fileModel.name !== opts.model) delete (file as { model?: unknown }).model;
  const sets = (opts.set ?? []).map(parseSetOverride);
  const user = [file, stripUndefined(flags), ...sets];
  // The chosen model's recommended settings go between the built-in defaults and the user's.
  const merged = mergeConfig<RunConfigInput>(defaults, ...user);
  const modelName = merged.model?.name ?? RunConfigSchema.shape.model.parse(undefined).name;
  const registry = createShippedRegistry(merged.plugins ?? []);
  let recommended = registry.has('model', modelName) ? (registry.get('model', modelName).recommendedRunConfig as RunConfigInput | undefined) : undefined;
  // a recommendation for another loss than the one chosen does not apply
  const lossName = merged.loss?.name ?? RunConfigSchema.shape.loss.parse(undefined).name;
  if (recommended?.loss && recommended.loss.name !== lossName) recommended = { ...recommended, loss: undefined };
  if (recommended) log.info(`model ${modelName} recommends ${JSON.stringify(recommended)} (your config and options override it)`);
  const where = opts.config ? `config (${opts.config} + options)` : 'config (options)';
  return parseRunConfig(mergeConfig<RunConfigInput>(defaults, recommended ?? {}, ...user), where);
}

/** Whether the user chose the worker count: --gpus, `gpus` in the config file, or `--set gpus=N`. */
export function workerCountGiven(opts: LaunchOptions): boolean {
  if (opts.gpus !== undefined) return true;
  if ((opts.set ?? []).some((s) => 'gpus' in (parseSetOverride(s) as object))) return true;
  return opts.config !== undefined && 'gpus' in (readRunConfigFile(opts.config) as object);
}

function stripUndefined(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = stripUndefined(x);
    if (s !== undefined && !(typeof s === 'object' && s !== null && !Array.isArray(s) && Object.keys(s).length === 0)) out[k] = s;
  }
  return out;
}
