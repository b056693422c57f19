/**
 * Where one training step's time goes, per kernel (not a test):
 *   tsx apps/trainer/bench/profile-step.ts [--model=transformer] [--pairs=32] [--max-length=128] [--top=25]
 * Runs `--warmup` untimed steps through Replica.trainStep, then one step under tf.profile, and
 * prints the kernels grouped by name and input shapes, most time first, beside the step's wall
 * time (what no kernel accounts for is JS: the tape, gradient read-back, AdamW, variable writes).
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@rewardkit/backend';
import type { BackendPreference } from '@rewardkit/core';
import { packUnits, parseRunConfig } from '@rewardkit/core';
import { BatchSampler, learningRate, Replica } from '@rewardkit/engine';
import { buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { formatTable, type BenchRow } from './bench-table';

interface ProfileOptions {
  readonly model: string;
  readonly backend: string;
  readonly pairs: number;
  readonly maxLength: number;
  readonly warmup: number;
  readonly top: number;
  readonly phaseSteps: number;
}

/**
 * Wall time of a step's phases outside the kernels' own accounting, by wrapping the replica's
 * parts on this instance: forward (model.score), the gradient read-back, the store's update and,
 * inside it, AdamW and the variable writes. Backward is what the step took beyond these.
 */
function timePhases(replica: Replica): { stop(): string } {
  const totals = new Map<string, number>();
  const undo: (() => void)[] = [];
  const wrap = <T extends object>(obj: T, key: keyof T & string, name: string) => {
    const original = obj[key] as unknown as (...a: unknown[]) => unknown;
    (obj as Record<string, unknown>)[key] = (...a: unknown[]) => {
      const t0 = performance.now();
      const out = original.apply(obj, a);
      totals.set(name, (totals.get(name) ?? 0) + performance.now() - t0);
      return out;
    };
    undo.push(() => ((obj as Record<string, unknown>)[key] = original));
  };
  wrap(replica.model, 'score', 'forward (score)');
  wrap(replica.layout, 'flattenGrads', 'flattenGrads');
  wrap(replica.store, 'update', 'store.update (all)');
  if (replica.store.kind === 'host') wrap(replica.optimizer, 'step', '  AdamW step');
  wrap(replica.layout, 'write', '  layout.write');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return {
    stop() {
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      undo.forEach((u) => u());
      const lines = [...totals].map(([k, ms]) => `  ${k}: ${ms.toFixed(0)} ms (${((100 * ms) / wall).toFixed(1)}%)`);
      return `phases over the untimed-by-profile steps: wall ${wall.toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n${lines.join('\n')}`;
    },
  };
}

const int = (v: string) => Number.parseInt(v, 10);

async function main(): Promise<void> {
  const opts = new Command('profile-step')
    .option('--model <name>', 'model plugin', 'transformer')
    .option('--backend <name>', 'tensor backend', 'wasm')
    .option('--pairs <n>', 'pairs per step', int, 32)
    .option('--max-length <n>', 'tokens per sequence', int, 128)
    .option('--warmup <n>', 'untimed steps first', int, 2)
    .option('--top <n>', 'kernel groups to print', int, 30)
    .option('--phase-steps <n>', 'steps timed by phase (forward, read-back, update, AdamW, writes) before the profiled one', int, 3)
    .parse()
    .opts<ProfileOptions>();
  const backend = await initBackend({ prefer: opts.backend as BackendPreference });
  const cfg = parseRunConfig({ data: { train: hhRlhf.train, maxLength: opts.maxLength }, model: { name: opts.model, config: {} }, train: { batchSize: opts.pairs }, backend: opts.backend });
  const registry = createShippedRegistry();
  const tokenizer = buildTokenizer(cfg, registry);
  const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength: opts.maxLength });
  const model = registry.create('model', cfg.model.name, cfg.model.config, { vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, seed: 1 });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const replica = new Replica(model, loss, cfg.train);
  const sampler = new BatchSampler({ size: data.encoded.length, batchSize: opts.pairs, seed: 1, lengths: data.encoded.map((p) => p.chosen.length + p.rejected.length) });
  const step = async (i: number) => {
    const shard = sampler.next().map((j) => data.encoded[j]);
    return replica.trainStep(packUnits(shard, tokenizer.padId), { step: i, lr: learningRate({ ...cfg.train, steps: opts.warmup + 1 }, i) });
  };
  for (let i = 1; i <= opts.warmup; i++) await step(i);
  const phases = timePhases(replica);
  for (let i = 1; i <= opts.phaseSteps; i++) await step(opts.warmup + i);
  const phaseWall = phases.stop();
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await step(opts.warmup + opts.phaseSteps + 1);
    return [];
  });
  const wall = performance.now() - t0;
  const groups = new Map<string, { ms: number; calls: number }>();
  let kernelMs = 0;
  const timeOf = async (k: { kernelTimeMs: number | { error: string } | Promise<number | { error: string }> }): Promise<number> => {
    const t = await k.kernelTimeMs;
    return typeof t === 'number' ? t : 0; // {error} where a backend cannot time
  };
  for (const k of info.kernels) {
    const ms = await timeOf(k);
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
    const g = groups.get(key) ?? { ms: 0, calls: 0 };
    g.ms += ms;
    g.calls++;
    groups.set(key, g);
    kernelMs += ms;
  }
  const byName = new Map<string, number>();
  for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + (await timeOf(k)));
  const rows: BenchRow[] = [...groups].sort((a, b) => b[1].ms - a[1].ms).slice(0, opts.top).map(([key, g]) => ({ kernel: key, calls: g.calls, ms: g.ms, share: g.ms / wall }));
  const names: BenchRow[] = [...byName].sort((a, b) => b[1] - a[1]).slice(0, opts.top).map(([name, ms]) => ({ kernel: name, ms, share: ms / wall }));
  process.stdout.write(`backend ${backend.name} (${backend.fixes.join(', ')}); step wall ${wall.toFixed(0)} ms, kernels ${kernelMs.toFixed(0)} ms, other ${(wall - kernelMs).toFixed(0)} ms\n`);
  process.stdout.write(`${phaseWall}\n`);
  process.stdout.write(`by kernel:\n${formatTable(names)}\n\nby kernel and input shapes:\n${formatTable(rows)}\n`);
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`profile-step: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
