/**
 * A/B of wasm kernel sets inside one process (not a test): on a shared, noisy machine only
 * ratios measured side by side mean anything, so training steps alternate between
 *   before: the kernel fixes up to 2026-11-30 (transpose-first matMul, fused bias, segment sum)
 *   after:  everything applyWasmFixes() registers now
 * on the same batches, swapping the registered kernels between steps.
 * --baseline=unfused compares `after` with `after` minus the fused layer norm / GELU / attention.
 *   tsx apps/trainer/bench/ab-kernels.ts [--model=transformer] [--pairs=32] [--max-length=128] [--rounds=6] [--baseline=before|unfused]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@rewardkit/backend';
import { packUnits, parseRunConfig } from '@rewardkit/core';
import { BatchSampler, learningRate, Replica } from '@rewardkit/engine';
import { buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { captureKernelSets, type KernelSet } from './kernel-sets';
import { formatTable } from './bench-table';

const int = (v: string) => Number.parseInt(v, 10);
const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main(): Promise<void> {
  const opts = new Command('ab-kernels')
    .option('--model <name>', 'model plugin', 'transformer')
    .option('--pairs <n>', 'pairs per step', int, 32)
    .option('--max-length <n>', 'tokens per sequence', int, 128)
    .option('--rounds <n>', 'timed rounds (one step of each set)', int, 6)
    .option('--baseline <set>', 'set compared with after: before | unfused', 'before')
    .parse()
    .opts<{ model: string; pairs: number; maxLength: number; rounds: number; baseline: string }>();
  const captured = captureKernelSets();
  if (opts.baseline !== 'before' && opts.baseline !== 'unfused') throw new Error(`--baseline must be before or unfused, got ${opts.baseline}`);
  const sets = { before: captured[opts.baseline], after: captured.after };
  await initBackend({ prefer: 'wasm' });
  const cfg = parseRunConfig({ data: { train: hhRlhf.train, maxLength: opts.maxLength }, model: { name: opts.model, config: {} }, train: { batchSize: opts.pairs }, backend: 'wasm' });
  const registry = createShippedRegistry();
  const tokenizer = buildTokenizer(cfg, registry);
  const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength: opts.maxLength });
  const model = registry.create('model', cfg.model.name, cfg.model.config, { vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, seed: 1 });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const replica = new Replica(model, loss, cfg.train);
  const sampler = new BatchSampler({ size: data.encoded.length, batchSize: opts.pairs, seed: 1, lengths: data.encoded.map((p) => p.chosen.length + p.rejected.length) });
  const times: Record<string, number[]> = { [opts.baseline]: [], after: [] };
  let step = 0;
  const run = async (set: KernelSet, units: ReturnType<typeof packUnits>) => {
    set.install();
    const t0 = performance.now();
    await replica.trainStep(units, { step: ++step, lr: learningRate({ ...cfg.train, steps: 2 * (opts.rounds + 1) }, step) });
    return performance.now() - t0;
  };
  for (let r = 0; r <= opts.rounds; r++) {
    const units = packUnits(sampler.next().map((j) => data.encoded[j]), tokenizer.padId);
    // alternate which set goes first, so neither always meets a warm (or a cold) cache
    const order = r % 2 ? [sets.after, sets.before] : [sets.before, sets.after];
    for (const set of order) {
      const ms = await run(set, units);
      if (r > 0) times[set.name].push(ms); // round 0 warms both up
    }
  }
  const base = times[opts.baseline] as number[];
  const before = median(base);
  const after = median(times.after);
  process.stdout.write(formatTable([
    { kernels: opts.baseline, 'ms/step (median)': before, 'ms min': Math.min(...base), 'speed-up': 1 },
    { kernels: 'after', 'ms/step (median)': after, 'ms min': Math.min(...times.after), 'speed-up': before / after },
  ]) + `\n(${opts.model}, ${opts.pairs} pairs x ${opts.maxLength} tokens, ${opts.rounds} rounds, tensors ${tf.memory().numTensors})\n`);
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ab-kernels: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
