/**
 * Evaluation speed benchmark (not a test): how long `evaluator:run` takes on 5,000 pairs with the
 * default model, and where the time goes.
 *   nx run evaluator:bench                         # trains a quick default model first (not timed)
 *   nx run evaluator:bench --model=runs/default/final --pairs=20000
 * 1. Pairs: the embedded HH-RLHF sample reshuffled to --pairs records (bench-pairs.ts says how).
 * 2. In this process, phase by phase, the same calls main.ts makes: backend, model load, read and
 *    tokenize, the training pairs (--train, for data health), score, every shipped evaluator, report
 *    (report.json + report.html with its charts).
 * 3. The CLI end to end as a person runs it (tsx start-up included), without and with `--out`: the
 *    difference is what the report costs there.
 * Prints a table; writes JSON to `--out` (default bench-results/evaluate.json); `--report DIR` keeps the report.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { initBackend } from '@rewardkit/backend';
import { setLogSink } from '@rewardkit/core';
import { loadModelDir, scorePairs } from '@rewardkit/engine';
import { createShippedRegistry, loaderFor, pairScoresOf, prepareDataset, runEvaluators } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { readTrainingMetrics, startReportRenderer, writeReport } from '../src/report';
import { writeBenchPairs } from './bench-pairs';

interface BenchOptions {
  readonly pairs: number;
  readonly model?: string;
  readonly steps: number;
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  readonly out: string;
  readonly report?: string;
}

const REPO = path.resolve(__dirname, '../../..');
const int = (v: string) => Number.parseInt(v, 10);

function parseOptions(): BenchOptions {
  return new Command('evaluate-bench')
    .option('--pairs <n>', 'pairs to evaluate', int, 5000)
    .option('--model <dir>', 'exported model to evaluate (default: train the default model for --steps first)')
    .option('--steps <n>', 'training steps of the default model when no --model is given', int, 200)
    .option('--backend <name>', 'tensor backend (auto, tensorflow, wasm, cpu)', 'auto')
    .option('--out <file>', 'JSON results', path.join('bench-results', 'evaluate.json'))
    .option('--report <dir>', 'keep the in-process report here (default: a temporary directory, removed)')
    .parse()
    .opts<BenchOptions>();
}

/** Runs a repo script under tsx; returns its stdout and wall time, or throws with its stderr. */
function tsx(args: readonly string[]): { stdout: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, ms };
}

interface Phase {
  readonly phase: string;
  /** Wall time. */
  readonly ms: number;
  /** CPU time of this process (all its threads): steadier than wall time on a shared machine. */
  readonly cpu_ms: number;
}

async function timed<T>(phases: Phase[], phase: string, f: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await f();
  const c = process.cpuUsage(c0);
  phases.push({ phase, ms: performance.now() - t0, cpu_ms: (c.user + c.system) / 1000 });
  return out;
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evaluator-bench-'));
  try {
    const data = path.join(work, 'pairs.jsonl');
    const sourcePairs = writeBenchPairs([hhRlhf.train, hhRlhf.test], opts.pairs, data);
    let modelDir = opts.model;
    let trainMs: number | undefined;
    if (!modelDir) {
      process.stdout.write(`training the default model for ${opts.steps} steps (not timed in the table)...\n`);
      trainMs = tsx(['apps/trainer/src/main.ts', 'launch', '--out', path.join(work, 'run'), '--steps', String(opts.steps), '--overwrite']).ms;
      modelDir = path.join(work, 'run', 'final');
    }

    // 2. in this process, phase by phase
    setLogSink(() => undefined); // the backend's and loader's lines would bury the table
    const phases: Phase[] = [];
    const registry = createShippedRegistry();
    await timed(phases, 'backend', () => initBackend({ prefer: opts.backend, gpu: true }));
    const { model, tokenizer, meta } = await timed(phases, 'load model', () => loadModelDir(modelDir, registry));
    const prepared = await timed(phases, 'read + tokenize', () =>
      prepareDataset(data, registry, tokenizer, { loader: { name: 'auto', config: {} }, skipInvalid: false, maxLength: (meta.info.maxLength as number | undefined) ?? 512 }),
    );
    const train = hhRlhf.train;
    const trainPairs = await timed(phases, 'read training pairs', async () => (await registry.create('data', loaderFor(train, 'auto'), {}, undefined).load(train, { skipInvalid: false })).pairs);
    const scores = pairScoresOf(prepared, await timed(phases, 'score', () => scorePairs(model, prepared.encoded, tokenizer.padId)), trainPairs);
    const evaluators = registry.list('eval');
    const figures = await timed(phases, `evaluators (${evaluators.length})`, () => runEvaluators(registry, evaluators, scores));
    const margins = Array.from(scores.chosen, (c, i) => c - scores.rejected[i]);
    await timed(phases, 'report: load vega + vega-lite', () => startReportRenderer());
    const report = await timed(phases, 'report: charts, json, html', () =>
      writeReport(opts.report ?? path.join(work, 'report'), { figures, margins, training: readTrainingMetrics(modelDir), model: modelDir, data }),
    );
    model.dispose();
    setLogSink(undefined);
    const total = phases.reduce((s, p) => s + p.ms, 0);
    const totalCpu = phases.reduce((s, p) => s + p.cpu_ms, 0);

    // 3. the CLI end to end, without and with the report
    const cliArgs = ['apps/evaluator/src/main.ts', '--model', modelDir, '--data', data, '--train', train, '--json', '--backend', opts.backend];
    const cli = tsx(cliArgs);
    const cliOut = tsx([...cliArgs, '--out', path.join(work, 'cli-report')]);
    const cliFigures = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;

    const rows = [
      ...phases.map((p) => ({ phase: p.phase, ms: p.ms, cpu: p.cpu_ms, share: `${((100 * p.ms) / total).toFixed(1)}%` })),
      { phase: 'total in process', ms: total, cpu: totalCpu, share: '100%' },
      { phase: 'CLI end to end (--json)', ms: cli.ms, cpu: NaN, share: '' },
      { phase: 'CLI end to end (--json --out)', ms: cliOut.ms, cpu: NaN, share: '' },
    ];
    const width = Math.max(...rows.map((r) => r.phase.length));
    process.stdout.write(
      `\nevaluating ${prepared.pairs.length} pairs (${sourcePairs} sample pairs reshuffled), ${meta.model.name}, accuracy ${(figures.accuracy as number).toFixed(4)} (CLI ${String(cliFigures.accuracy)}); charts: ${report.charts.join(', ') || 'none'}\n` +
        `${'phase'.padEnd(width)}  ${'wall'.padStart(10)}  ${'cpu'.padStart(10)}  ${'share'.padStart(6)}\n` +
        rows.map((r) => `${r.phase.padEnd(width)}  ${r.ms.toFixed(0).padStart(7)} ms  ${Number.isNaN(r.cpu) ? ''.padStart(10) : `${r.cpu.toFixed(0).padStart(7)} ms`}  ${r.share.padStart(6)}`).join('\n') +
        '\n',
    );
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    const body = { name: 'evaluate', date: new Date().toISOString(), pairs: prepared.pairs.length, source_pairs: sourcePairs, model: meta.model.name, trained_steps: opts.model ? undefined : opts.steps, train_ms: trainMs, evaluators, charts: report.charts, accuracy: figures.accuracy, cli_accuracy: cliFigures.accuracy, phases, total_ms: total, total_cpu_ms: totalCpu, cli_ms: cli.ms, cli_out_ms: cliOut.ms, report_html_bytes: fs.statSync(report.html).size };
    fs.writeFileSync(opts.out, JSON.stringify(body, null, 2) + '\n');
    process.stdout.write(`wrote ${opts.out}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
