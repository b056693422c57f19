/**
 * One labeling run: read samples, score the ones the resume file lacks (batch by batch, each
 * batch appended to it), group by prompt, turn rewards into DPO pairs or KTO labels, write the
 * output atomically, print the summary. Scoring goes through the same rendering and truncation as
 * training (encodeResponse) and the engine's scoreSequences, in this process or in worker
 * processes (--workers/--gpus) that run the same two calls on the same batches.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@rewardkit/backend';
import { ConfigError, createLogger, type BackendPreference } from '@rewardkit/core';
import { loadModelDir, scoreSequences } from '@rewardkit/engine';
import { createShippedRegistry, encodeResponse } from '@rewardkit/runtime';
import { binaryFeedback, type BinaryThreshold, type ThresholdScope } from './binary-feedback';
import { gapHistogram } from './gap-histogram';
import { groupByPrompt } from './group-samples';
import { pairFeedback, type PairMode } from './pair-feedback';
import { ScoreProgress } from './progress';
import { describeSamples, readSamples } from './read-samples';
import { ScoreCache } from './score-cache';
import { WorkerPool } from './worker-pool';

const log = createLogger('labeler');

export interface LabelOptions {
  readonly model: string;
  readonly samples: string;
  readonly out: string;
  readonly feedback: 'pairwise' | 'binary';
  readonly mode: PairMode;
  readonly threshold: number | BinaryThreshold;
  readonly thresholdScope: ThresholdScope;
  readonly seed: number;
  readonly batchSize: number;
  /** Scoring processes; more than 1 forks workers (worker-pool.ts). */
  readonly workers: number;
  /** Place worker i on GPU i. */
  readonly gpus: boolean;
  readonly maxLength?: number;
  readonly restart: boolean;
  readonly plugin: readonly string[];
  readonly backend: BackendPreference;
}

export interface LabelSummary {
  readonly prompts: number;
  readonly samples: number;
  readonly scoredNow: number;
  readonly records: number;
  readonly pairsKept?: number;
  readonly pairsDroppedByThreshold?: number;
  readonly desirable?: number;
  readonly singleSamplePrompts: number;
  readonly threshold: string;
}

export async function label(opts: LabelOptions): Promise<LabelSummary> {
  await initBackend({ prefer: opts.backend, gpu: true, logger: log });
  const registry = createShippedRegistry([...opts.plugin]);
  const { model, tokenizer, meta } = loadModelDir(opts.model, registry);
  try {
    const samples = await readSamples(opts.samples);
    log.info(describeSamples(opts.samples, samples));
    const maxLength = opts.maxLength ?? (meta.info.maxLength as number | undefined) ?? 512; // as trained
    const cacheFile = `${opts.out}.scores.jsonl`;
    if (opts.restart) fs.rmSync(cacheFile, { force: true });
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    const cache = ScoreCache.open(cacheFile, {
      format: 'rewardkit-labeler-scores',
      model: fingerprint(opts.model, ['config.json', 'model.safetensors']),
      samples: fingerprint(opts.samples),
      count: samples.length,
      maxLength,
    });

    const todo = cache.missing();
    const progress = new ScoreProgress(samples.length, samples.length - todo.length);
    const where = (i: number) => `${opts.samples}:${samples[i].line}`;
    const pool =
      opts.workers > 1 && todo.length
        ? await WorkerPool.start(opts.workers, { model: opts.model, backend: opts.backend, plugin: opts.plugin, maxLength }, opts.gpus)
        : undefined;
    const scoreBatch = async (idx: readonly number[]): Promise<ArrayLike<number>> => {
      if (pool) return pool.score(idx.map((i) => ({ prompt: samples[i].prompt, output: samples[i].output, where: where(i) })));
      const enc = idx.map((i) => encodeResponse(samples[i].prompt, samples[i].output, tokenizer, maxLength, where(i)));
      return scoreSequences(model, enc.map((e) => e.ids), enc.map((e) => e.promptLength), tokenizer.padId, opts.batchSize);
    };
    const crashAfter = Number(process.env.REWARDKIT_LABELER_CRASH_AFTER_BATCHES ?? 0); // test hook: a hard kill mid-run
    const batches: number[][] = [];
    for (let k = 0; k < todo.length; k += opts.batchSize) batches.push(todo.slice(k, k + opts.batchSize));
    let next = 0;
    let done = 0;
    let fresh = 0;
    // one loop per worker, each taking the next batch when its last is scored (one loop in-process)
    const loop = async () => {
      while (next < batches.length) {
        const idx = batches[next++];
        cache.record(idx, await scoreBatch(idx));
        fresh += idx.length;
        progress.add(idx.length, fresh);
        if (crashAfter && ++done >= crashAfter) process.kill(process.pid, 'SIGKILL');
      }
    };
    try {
      await Promise.all(Array.from({ length: pool ? opts.workers : 1 }, loop));
    } finally {
      pool?.close();
    }
    progress.stop();

    const groups = groupByPrompt(samples, cache.rewards);
    const lines: string[] = [];
    const report: string[] = [];
    let summary: LabelSummary;
    if (opts.feedback === 'pairwise') {
      const threshold = opts.threshold as number;
      const r = pairFeedback(groups, opts.mode, threshold, opts.seed);
      r.records.forEach((rec) => lines.push(JSON.stringify(rec)));
      summary = {
        prompts: groups.length,
        samples: samples.length,
        scoredNow: fresh,
        records: r.records.length,
        pairsKept: r.records.length,
        pairsDroppedByThreshold: r.droppedByThreshold,
        singleSamplePrompts: r.singlePrompts,
        threshold: `reward gap > ${threshold} (mode ${opts.mode})`,
      };
      report.push(`reward gaps of the ${r.gaps.length} candidate pairs:`, ...gapHistogram(r.gaps));
    } else {
      const r = binaryFeedback(groups, opts.threshold as BinaryThreshold, opts.thresholdScope);
      r.records.forEach((rec) => lines.push(JSON.stringify(rec)));
      const t = opts.threshold;
      summary = {
        prompts: groups.length,
        samples: samples.length,
        scoredNow: fresh,
        records: r.records.length,
        desirable: r.desirable,
        singleSamplePrompts: r.singlePrompts,
        threshold:
          typeof t === 'number' ? `reward > ${t}` : `reward > ${t} (${opts.thresholdScope}${r.threshold !== undefined ? ` = ${r.threshold.toFixed(4)}` : ''})`,
      };
      const spreads = groups.filter((g) => g.rewards.length > 1).map((g) => Math.max(...g.rewards) - Math.min(...g.rewards));
      report.push(`reward gap best - worst per prompt (${spreads.length} prompts):`, ...gapHistogram(spreads));
    }
    writeAtomically(opts.out, lines.length ? lines.join('\n') + '\n' : '');
    printSummary(summary, report, opts.out);
    return summary;
  } finally {
    model.dispose();
  }
}

/** Size and modification time: enough to notice a changed file without hashing gigabytes. */
function fingerprint(p: string, files: readonly string[] = []): string {
  const abs = path.resolve(p);
  const stat = (f: string) => {
    const s = fs.statSync(f, { throwIfNoEntry: false });
    return s ? `${s.size}@${Math.round(s.mtimeMs)}` : 'absent';
  };
  return files.length ? `${abs} ${files.map((f) => `${f}=${stat(path.join(abs, f))}`).join(' ')}` : `${abs} ${stat(abs)}`;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function printSummary(s: LabelSummary, report: readonly string[], out: string): void {
  if (s.records === 0 && s.samples > 0) log.warn('no records written: every candidate was dropped (lower --threshold?)');
  const w = (l: string) => process.stdout.write(l + '\n');
  w(`prompts: ${s.prompts}, samples: ${s.samples} (scored now: ${s.scoredNow}), prompts with a single sample: ${s.singleSamplePrompts}`);
  if (s.pairsKept !== undefined) w(`pairs kept: ${s.pairsKept}, dropped by the threshold: ${s.pairsDroppedByThreshold} (${s.threshold})`);
  else w(`examples: ${s.records}, desirable: ${s.desirable} (${s.threshold})`);
  report.forEach(w);
  w(`written: ${out}`);
}

export function checkBatchSize(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--batch-size must be a positive integer, got ${n}`);
  return n;
}

export function checkWorkers(workers: number | undefined, gpus: number | undefined): number {
  if (workers !== undefined && gpus !== undefined) throw new ConfigError('give --workers or --gpus, not both');
  const n = gpus ?? workers ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--workers/--gpus must be a positive integer, got ${n}`);
  return n;
}
