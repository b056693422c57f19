#!/usr/bin/env tsx
/**
 * rewardkit evaluator: held-out accuracy of a trained reward model.
 *   nx run evaluator:run --model=runs/default/final --data=held-out.jsonl [--json]
 * With --json the last line of stdout is one JSON object (accuracy, n, ties, mean_margin, ...).
 */
import { Command } from 'commander';
import { initBackend } from '@rewardkit/backend';
import { createLogger } from '@rewardkit/core';
import { loadModelDir, scorePairs } from '@rewardkit/engine';
import { createShippedRegistry, prepareDataset, runCli, runEvaluators } from '@rewardkit/runtime';

const log = createLogger('evaluator');

interface EvaluateOptions {
  readonly model: string;
  readonly data: string;
  readonly json?: boolean;
  readonly maxLength?: number;
  readonly skipInvalid?: boolean;
  readonly evaluator: string[];
  readonly plugin: string[];
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

async function evaluate(opts: EvaluateOptions): Promise<void> {
  await initBackend({ prefer: opts.backend, gpu: true, logger: log });
  const registry = createShippedRegistry(opts.plugin);
  const { model, tokenizer, meta } = loadModelDir(opts.model, registry);
  const data = await prepareDataset(opts.data, registry, tokenizer, {
    loader: { name: 'auto', config: {} },
    skipInvalid: Boolean(opts.skipInvalid),
    // score with the truncation the model was trained with, unless told otherwise (a plain HF dir: n_positions)
    maxLength: opts.maxLength ?? (meta.info.maxLength as number | undefined) ?? 512,
  });
  const scores = await scorePairs(model, data.encoded, tokenizer.padId);
  const report = {
    model: opts.model,
    model_plugin: meta.model.name,
    data: opts.data,
    skipped: data.skipped,
    truncated: data.truncated,
    ...runEvaluators(registry, opts.evaluator, { ...scores, pairs: data.pairs }),
  };
  const r = report as Record<string, unknown>;
  process.stdout.write(
    `held-out accuracy: ${(r.accuracy as number).toFixed(4)} on ${r.n} pairs ` +
      `(ties ${r.ties}, mean margin ${(r.mean_margin as number).toFixed(4)})\n`,
  );
  if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
  model.dispose();
}

const program = new Command('evaluator')
  .description('Held-out accuracy of a trained reward model.')
  .requiredOption('--model <dir>', 'exported model directory (the trainer writes OUT/final), or a Hugging Face GPT-2-family sequence-classification directory')
  .requiredOption('--data <file>', 'held-out pairs (.jsonl, .json, .parquet)')
  .option('--json', 'end stdout with one JSON object of all metrics')
  .option('--max-length <n>', 'tokens per sequence (default: as trained)', (v) => Number.parseInt(v, 10))
  .option('--skip-invalid', 'skip (and count) invalid records instead of stopping')
  .option('--evaluator <name>', 'evaluator plugin (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--plugin <package>', 'external plugin package (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--backend <name>', 'tensor backend: auto, tensorflow, wasm, cpu', 'auto')
  .action(async (opts: EvaluateOptions) => {
    await evaluate({ ...opts, evaluator: opts.evaluator.length ? opts.evaluator : ['accuracy'] });
  });

if (require.main === module) void runCli(program);
