#!/usr/bin/env tsx
/**
 * rewardkit evaluator: every configured evaluator on a held-out set for a trained reward model.
 *   nx run evaluator:run --model=runs/default/final --data=held-out.jsonl [--train=train.jsonl] [--scores=pairs.jsonl] [--out=DIR] [--json]
 * The evaluators come from `--config` (a run config's `evaluators`), `--set evaluators=[...]` or
 * `--evaluator NAME`; by default every shipped one. With --json the last line of stdout is one
 * JSON object holding every figure, nested tables included.
 */
import { Command, Option } from 'commander';
import { initBackend } from '@rewardkit/backend';
import {
  BACKEND_PREFERENCES,
  createLogger,
  mergeConfig,
  parseRunConfig,
  parseSetOverride,
  readRunConfigFile,
  type BackendPreference,
  type RunConfigInput,
} from '@rewardkit/core';
import { loadModelDir, scorePairs } from '@rewardkit/engine';
import {
  checkEvaluators,
  createShippedRegistry,
  loaderFor,
  pairScoresOf,
  prepareDataset,
  runCli,
  runEvaluators,
  type EvaluatorRef,
} from '@rewardkit/runtime';
import { readTrainingMetrics, startReportRenderer, writeReport } from './report';
import { writeScoresFile } from './scores-file';
import { summaryLines } from './summary-table';

const log = createLogger('evaluator');

interface EvaluateOptions {
  readonly model: string;
  readonly data: string;
  readonly train?: string;
  readonly scores?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly maxLength?: number;
  readonly skipInvalid?: boolean;
  readonly config?: string;
  readonly set: string[];
  readonly evaluator: string[];
  readonly plugin: string[];
  readonly backend: BackendPreference;
}

/** The run-config fields evaluation uses: `--config`, then `--set`, then `--evaluator`/`--plugin`. */
function resolveConfig(opts: EvaluateOptions) {
  const file = opts.config ? readRunConfigFile(opts.config) : {};
  const merged = mergeConfig<RunConfigInput>(file, ...opts.set.map(parseSetOverride));
  const cfg = parseRunConfig(merged, opts.config ? `config (${opts.config} + --set)` : 'config (--set)');
  const evaluators: readonly EvaluatorRef[] = opts.evaluator.length ? opts.evaluator : cfg.evaluators;
  return { evaluators, plugins: [...cfg.plugins, ...opts.plugin], loader: cfg.data.loader, skipInvalid: Boolean(opts.skipInvalid) || cfg.data.skipInvalid };
}

async function evaluate(opts: EvaluateOptions): Promise<void> {
  const cfg = resolveConfig(opts);
  const registry = createShippedRegistry(cfg.plugins);
  checkEvaluators(registry, cfg.evaluators); // a typo fails before the model loads
  if (opts.out) startReportRenderer(); // the chart library loads while the data is read and scored
  await initBackend({ prefer: opts.backend, gpu: true, logger: log });
  const { model, tokenizer, meta } = loadModelDir(opts.model, registry);
  const data = await prepareDataset(opts.data, registry, tokenizer, {
    loader: cfg.loader,
    skipInvalid: cfg.skipInvalid,
    // score with the truncation the model was trained with, unless told otherwise (a plain HF dir: n_positions)
    maxLength: opts.maxLength ?? (meta.info.maxLength as number | undefined) ?? 512,
  });
  // the training file only for its pairs (data health: prompts shared with the evaluation file)
  const trainPairs = opts.train
    ? (await registry.create('data', loaderFor(opts.train, cfg.loader.name), cfg.loader.config, undefined).load(opts.train, { skipInvalid: cfg.skipInvalid })).pairs
    : undefined;
  const scores = pairScoresOf(data, await scorePairs(model, data.encoded, tokenizer.padId), trainPairs);
  model.dispose();
  const report = {
    model: opts.model,
    model_plugin: meta.model.name,
    data: opts.data,
    ...(opts.train ? { train: opts.train } : {}),
    skipped: data.skipped,
    truncated: data.truncated,
    ...runEvaluators(registry, cfg.evaluators, scores),
  };
  if (opts.scores) {
    writeScoresFile(opts.scores, scores);
    log.info(`per-pair scores: ${opts.scores}`);
  }
  if (opts.out) {
    const margins = Array.from(scores.chosen, (c, i) => c - scores.rejected[i]);
    const written = await writeReport(opts.out, { figures: report, margins, training: readTrainingMetrics(opts.model), model: opts.model, data: opts.data });
    log.info(`report: ${written.html} (${written.charts.length} charts), ${written.json}`);
  }

  process.stdout.write(summaryLines(report).join('\n') + '\n');
  if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
}

const collect = (v: string, prev: string[]) => [...prev, v];

const program = new Command('evaluator')
  .description('Evaluate a trained reward model on held-out pairs: accuracy with its interval, reward statistics, calibration, length bias, sections, data health.')
  .requiredOption('--model <dir>', 'exported model directory (the trainer writes OUT/final), or a Hugging Face GPT-2-family sequence-classification directory')
  .requiredOption('--data <file>', 'held-out pairs (.jsonl, .json, .parquet)')
  .option('--train <file>', 'the training pairs, to count prompts and pairs the held-out file shares with them')
  .option('--scores <file>', 'write one JSON line per pair: id, reward_chosen, reward_rejected, margin, tokens_chosen, tokens_rejected, truncated')
  .option('--out <dir>', 'write report.json (every figure) and report.html (charts, tables; opens offline) to this directory')
  .option('--json', 'end stdout with one JSON object of every figure')
  .option('--max-length <n>', 'tokens per sequence (default: as trained)', (v) => Number.parseInt(v, 10))
  .option('--skip-invalid', 'skip (and count) invalid records instead of stopping')
  .option('--config <file>', "JSON run config: its evaluators (names or {name, config}), plugins and data.loader")
  .option('--set <key=value>', 'override a run-config field, e.g. evaluators=\'["accuracy",{"name":"calibration","config":{"bins":15}}]\' (repeatable)', collect, [] as string[])
  .option('--evaluator <name>', 'run only this evaluator, default config (repeatable)', collect, [] as string[])
  .option('--plugin <package>', 'external plugin package (repeatable)', collect, [] as string[])
  .addOption(new Option('--backend <name>', 'tensor backend').choices(BACKEND_PREFERENCES).default('auto'))
  .action(async (opts: EvaluateOptions) => {
    await evaluate(opts);
  });

if (require.main === module) void runCli(program);
