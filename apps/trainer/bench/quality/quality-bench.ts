/**
 * Order-sensitivity benchmark (not a test): does a model learn what a bag of words cannot?
 *   nx run trainer:bench-quality                                   # default transformer and bag model, 4,000 + 1,000 pairs
 *   nx run trainer:bench-quality --run "pooled=--model=transformer --set model.config.pool=response"
 *   nx run trainer:bench-quality --pairs 2000 --test 400 --run "tf=--model=transformer --max-length 64 --steps 150"
 * 1. Generates the pairs of order-tasks.ts on real HH-RLHF prompts (train prompts for training,
 *    held-out prompts for the test split) into --work.
 * 2. Fits unigram and bigram bag-of-words Bradley-Terry baselines (bow-baseline.ts) in this process.
 * 3. Trains each model with `trainer launch` (its own defaults unless the --run adds options), in
 *    its own process, then scores the held-out split per kind with `evaluator run --json`.
 * Prints one table (held-out accuracy overall and per kind) and writes JSON to --out.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { hhRlhf } from '@rewardkit/sample-data';
import { runTrial } from '../../src/sweep/run-trial';
import { formatTable, writeBenchJson, type BenchRow } from '../bench-table';
import { bowBaseline } from './bow-baseline';
import { contentWords, ORDER_KINDS, orderTaskPairs, readHhRecords, wordValues, writeJsonl, type PreferenceRecord } from './order-tasks';

interface QualityOptions {
  readonly pairs: number;
  readonly test: number;
  readonly words: number;
  readonly seed: number;
  readonly run: string[];
  readonly work: string;
  readonly out: string;
}

const DEFAULT_RUNS = ['transformer=--model=transformer', 'bag-of-embeddings=--model=bag-of-embeddings'];
const EVALUATOR = path.resolve(__dirname, '..', '..', '..', 'evaluator', 'src', 'main.ts');

type Scores = { overall: number } & Partial<Record<string, number>>;

function byKind(test: readonly PreferenceRecord[], correct: readonly number[]): Scores {
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const out: Scores = { overall: mean([...correct]) };
  for (const k of ORDER_KINDS) out[k] = mean(test.flatMap((r, i) => (r.category === k ? [correct[i]] : [])));
  return out;
}

/** `label=launch options` (split on spaces; quote nothing). */
function parseRun(spec: string): { label: string; args: string[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--run expects label=launch options, got "${spec}"`);
  return { label: spec.slice(0, eq), args: spec.slice(eq + 1).split(/\s+/).filter(Boolean) };
}

/** Held-out accuracy per kind from the evaluator's --json line. */
function evaluatePerKind(modelDir: string, data: string): Scores {
  const res = spawnSync(process.execPath, ['--import', 'tsx', EVALUATOR, '--model', modelDir, '--data', data, '--json'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`evaluator failed on ${modelDir}:\n${res.stderr}`);
  // per kind: the `sections` evaluator's list (one section per record category)
  const report = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { accuracy: number; sections?: { name: string; accuracy: number }[] };
  const out: Scores = { overall: report.accuracy };
  for (const k of ORDER_KINDS) out[k] = report.sections?.find((s) => s.name === k)?.accuracy;
  return out;
}

async function main(opts: QualityOptions): Promise<void> {
  const work = path.resolve(opts.work);
  fs.mkdirSync(work, { recursive: true });
  const hhTrain = readHhRecords(hhRlhf.train);
  const hhTest = readHhRecords(hhRlhf.test);
  const values = wordValues(contentWords(hhTrain, opts.words), opts.seed);
  const train = orderTaskPairs({ prompts: hhTrain.map((r) => r.prompt), values, count: opts.pairs, seed: opts.seed + 1, idPrefix: 'train-' });
  const test = orderTaskPairs({ prompts: hhTest.map((r) => r.prompt), values, count: opts.test, seed: opts.seed + 2, idPrefix: 'test-' });
  const trainFile = path.join(work, 'train.jsonl');
  const testFile = path.join(work, 'test.jsonl');
  writeJsonl(trainFile, train);
  writeJsonl(testFile, test);
  process.stdout.write(`data: ${train.length} training and ${test.length} held-out pairs in ${work} (${ORDER_KINDS.join(', ')})\n`);

  const rows: BenchRow[] = [];
  const results: Record<string, unknown>[] = [];
  const add = (model: string, s: Scores, extra: Record<string, string | number>) => {
    rows.push({ model, overall: s.overall.toFixed(3), ...Object.fromEntries(ORDER_KINDS.map((k) => [k, s[k]?.toFixed(3) ?? ''])), ...extra });
    results.push({ model, ...s, ...extra });
  };
  for (const maxN of [1, 2] as const) {
    const t0 = performance.now();
    const r = bowBaseline(train, test, maxN);
    add(maxN === 1 ? 'BT on unigram counts' : 'BT on unigram + bigram counts', byKind(test, r.correct), { seconds: Math.round((performance.now() - t0) / 1000), note: `L2 ${r.l2}, ${r.features} features` });
  }
  for (const spec of opts.run.length ? opts.run : DEFAULT_RUNS) {
    const { label, args } = parseRun(spec);
    const runDir = path.join(work, label);
    process.stdout.write(`training ${label}: launch ${args.join(' ')}\n`);
    const r = await runTrial({
      id: label,
      runDir,
      logFile: `${runDir}.log`,
      baseArgs: ['--train', trainFile, '--eval', testFile, '--eval-every', '0', '--checkpoint-every', '0', ...args],
      sets: [],
      metric: 'accuracy',
    });
    if (r.status !== 'ok') {
      rows.push({ model: label, overall: 'failed', note: r.error ?? '' });
      results.push({ model: label, error: r.error });
      continue;
    }
    add(label, evaluatePerKind(path.join(runDir, 'final'), testFile), { seconds: Math.round(r.seconds), note: args.join(' ') });
  }
  process.stdout.write(`\nheld-out accuracy (${test.length} pairs, ${test.length / ORDER_KINDS.length} per kind; a perfect model scores 1.0, a bag of words 0.5 on the last three)\n`);
  process.stdout.write(formatTable(rows) + '\n');
  writeBenchJson(opts.out, 'quality', { pairs: opts.pairs, test: opts.test, words: opts.words, seed: opts.seed, results });
}

const int = (v: string) => Number.parseInt(v, 10);
const program = new Command('bench-quality')
  .option('--pairs <n>', 'training pairs (a quarter per kind)', int, 4000)
  .option('--test <n>', 'held-out pairs', int, 1000)
  .option('--words <n>', 'value words taken from the HH sample', int, 60)
  .option('--seed <n>', 'data seed', int, 7)
  .option('--run <label=options>', 'a model to train: label=launch options (repeatable; default: the transformer and the bag model)', (v: string, p: string[]) => [...p, v], [] as string[])
  .option('--work <dir>', 'data and run directories', 'tmp/bench-quality')
  .option('--out <file>', 'JSON results', 'bench-results/quality.json')
  .action((o: QualityOptions) => main(o));

void program.parseAsync(process.argv);
