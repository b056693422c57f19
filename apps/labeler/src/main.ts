#!/usr/bin/env tsx
/**
 * rewardkit labeler: scores sampled completions with a trained reward model and writes the next
 * online round's data.
 *   nx run labeler:run --model=runs/rm/final --samples=samples.jsonl --out=pairs.jsonl [--mode=max|min|random] [--threshold=0.5]
 *   nx run labeler:run --model=runs/rm/final --samples=samples.jsonl --out=kto.jsonl --feedback=binary --threshold=median --threshold-scope=prompt
 * Pairwise output is `{prompt, chosen, rejected, ...}`: `trainer:launch --train=pairs.jsonl` reads it.
 * Interrupted? Run the same command again: scoring resumes from OUT.scores.jsonl.
 */
import { Command, InvalidArgumentError } from 'commander';
import { BACKEND_PREFERENCES, ConfigError, type BackendPreference } from '@rewardkit/core';
import { runCli } from '@rewardkit/runtime';
import { parseBinaryThreshold, type ThresholdScope } from './binary-feedback';
import { checkBatchSize, checkWorkers, label } from './label';
import { PAIR_MODES, type PairMode } from './pair-feedback';

interface CliOptions {
  readonly model: string;
  readonly samples: string;
  readonly out: string;
  readonly feedback: string;
  readonly mode: string;
  readonly threshold?: string;
  readonly thresholdScope: string;
  readonly seed: number;
  readonly batchSize: number;
  readonly workers?: number;
  readonly gpus?: number;
  readonly maxLength?: number;
  readonly restart?: boolean;
  readonly plugin: string[];
  readonly backend: string;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${v}"`);
  return n;
};
const oneOf = <T extends string>(name: string, v: string, allowed: readonly T[]): T => {
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got "${v}"`);
  return v as T;
};

const program = new Command('labeler')
  .description('Score sampled completions and write DPO pairs (pairwise) or KTO labels (binary).')
  .requiredOption('--model <dir>', 'exported model directory (the trainer writes OUT/final)')
  .requiredOption('--samples <file>', 'completions: JSONL or Parquet, {prompt, output} or {prompt, outputs: [...]} (chat messages too)')
  .requiredOption('--out <file>', 'output JSONL; OUT.scores.jsonl beside it holds the scores for resuming')
  .option('--feedback <kind>', 'pairwise (DPO) or binary (KTO)', 'pairwise')
  .option('--mode <mode>', 'pairwise: max (best vs worst), min (closest pair above the threshold), random (shuffled neighbours)', 'max')
  .option('--threshold <t>', 'pairwise: keep pairs whose reward gap is above it (default 0); binary: a number, mean or median (default mean)')
  .option('--threshold-scope <scope>', 'binary with mean/median: per prompt or global', 'global')
  .option('--seed <n>', 'seed of the random mode and of the A/B order', int, 0)
  .option('--batch-size <n>', 'sequences per scoring batch (and per resume-file append)', int, 64)
  .option('--workers <n>', 'scoring processes (CPU backends: about one per core)', int)
  .option('--gpus <n>', 'scoring processes, worker i on GPU i', int)
  .option('--max-length <n>', 'tokens per sequence (default: as trained)', int)
  .option('--restart', 'discard the resume file and score everything again')
  .option('--plugin <package>', 'external plugin package (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--backend <name>', `tensor backend: ${BACKEND_PREFERENCES.join(', ')}`, 'auto')
  .action(async (o: CliOptions) => {
    const feedback = oneOf('--feedback', o.feedback, ['pairwise', 'binary'] as const);
    let threshold: number | 'mean' | 'median';
    if (feedback === 'pairwise') {
      threshold = o.threshold === undefined ? 0 : Number(o.threshold);
      if (!Number.isFinite(threshold) || threshold < 0) throw new ConfigError(`--threshold must be a number >= 0 for pairwise feedback, got "${o.threshold}"`);
    } else {
      try {
        threshold = parseBinaryThreshold(o.threshold ?? 'mean');
      } catch (err) {
        throw new ConfigError(`--threshold: ${(err as Error).message}`);
      }
    }
    await label({
      model: o.model,
      samples: o.samples,
      out: o.out,
      feedback,
      mode: oneOf<PairMode>('--mode', o.mode, PAIR_MODES),
      threshold,
      thresholdScope: oneOf<ThresholdScope>('--threshold-scope', o.thresholdScope, ['prompt', 'global']),
      seed: o.seed,
      batchSize: checkBatchSize(o.batchSize),
      workers: checkWorkers(o.workers, o.gpus),
      gpus: o.gpus !== undefined,
      ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}),
      restart: Boolean(o.restart),
      plugin: o.plugin,
      backend: oneOf<BackendPreference>('--backend', o.backend, BACKEND_PREFERENCES),
    });
  });

if (require.main === module) void runCli(program);
