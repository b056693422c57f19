/**
 * A/B of wasm kernel sets inside one process (not a test): on a shared, noisy machine only
 * ratios measured side by side mean anything, so training steps alternate between
 *   before: the kernel fixes up to 2026-11-30 (transpose-first matMul, fused bias, segment sum)
 *   after:  everything applyWasmFixes() registers now
 * on the same batches, swapping the registered kernels between steps.
 * --pair=after,fused compares `after` with `after` plus the opt-in fused layer norm / GELU / attention;
 * --pair=stockTile,after times the Tile kernel alone (kernel-sets.ts names every set).
 *   tsx apps/trainer/bench/ab-kernels.ts [--model=transformer] [--pairs=32] [--max-length=128] [--rounds=6] [--pair=before,after|after,fused|stockTile,after]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@rewardkit/backend';
import { packUnits, parseRunConfig } from '@rewardkit/core';
import { BatchSampler, learningRate, Replica } from '@rewardkit/engine';
import { buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { captureKernelSets, KERNEL_SET_NAMES, type KernelSet, type KernelSetName } from './kernel-sets';
import { formatTable } from './bench-table';

const int = (v: string) => Number.parseInt(v, 10);
const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main(): Promise<void> {
  const opts = new Command('ab-kernels')
    .option('--model <name>', 'model plugin', 'transformer')
    .option('--pairs <n>', 'pairs per step', int, 32)
    .option('--max-length <n>', 'tokens per sequence', int, 128)
    .option('--rounds <n>', 'timed rounds (one step of each set)', int, 6)
    .option('--pair <a,b>', `kernel sets compared, baseline first (${KERNEL_SET_NAMES.join(', ')})`, 'before,after')
    .parse()
    .opts<{ model: string; pairs: number; maxLength: number; rounds: number; pair: string }>();
  const captured = captureKernelSets();
  const [baseName, candName] = opts.pair.split(',') as [KernelSetName, KernelSetName];
  if (!KERNEL_SET_NAMES.includes(baseName) || !KERNEL_SET_NAMES.includes(candName) || baseName === candName) {
    throw new Error(`--pair: two different sets of ${KERNEL_SET_NAMES.join(', ')}; got ${opts.pair}`);
  }
  const sets = { before: captured[baseName], after: captured[candName] };
  await initBackend({ prefer: 'wasm' });
  const cfg = parseRunConfig({ data: { train: hhRlhf.train, maxLength: opts.maxLength }, model: { name: opts.model, config: {} }, train: { batchSize: opts.pairs }, backend: 'wasm' });
  const registry = createShippedRegistry();
  const tokenizer = buildTokenizer(cfg, registry);
  const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength: opts.maxLength });
  const model = registry.create('model', cfg.model.name, cfg.model.config, { vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, seed: 1 });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const replica = new Replica(model, loss, cfg.train);
  const sampler = new BatchSampler({ size: data.encoded.length, batchSize: opts.pairs, seed: 1, lengths: data.encoded.map((p) => p.chosen.length + p.rejected.length) });
  const times: Record<string, number[]> = { [baseName]: [], [candName]: [] };
  // CPU time of this process (user + system): less swayed than wall time by other processes on a shared machine
  const cpu: Record<string, number[]> = { [baseName]: [], [candName]: [] };
  let step = 0;
  const run = async (set: KernelSet, units: ReturnType<typeof packUnits>) => {
    set.install();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await replica.trainStep(units, { step: ++step, lr: learningRate({ ...cfg.train, steps: 2 * (opts.rounds + 1) }, step) });
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  };
  for (let r = 0; r <= opts.rounds; r++) {
    const units = packUnits(sampler.next().map((j) => data.encoded[j]), tokenizer.padId);
    // alternate which set goes first, so neither always meets a warm (or a cold) cache
    const order = r % 2 ? [sets.after, sets.before] : [sets.before, sets.after];
    for (const set of order) {
      const { ms, cpuMs } = await run(set, units);
      if (r > 0) {
        // round 0 warms both up
        times[set.name].push(ms);
        cpu[set.name].push(cpuMs);
      }
    }
  }
  const base = times[baseName] as number[];
  const cand = times[candName] as number[];
  const before = median(base);
  const after = median(cand);
  process.stdout.write(formatTable([
    { kernels: baseName, 'ms/step (median)': before, 'ms min': Math.min(...base), 'speed-up': 1 },
    { kernels: candName, 'ms/step (median)': after, 'ms min': Math.min(...cand), 'speed-up': before / after },
  ]) + `\npaired: median over rounds of (${baseName} ms / ${candName} ms) on the same batch = ${median(base.map((b, i) => b / (cand[i] as number))).toFixed(3)}; CPU time: ${median((cpu[baseName] as number[]).map((b, i) => b / (cpu[candName]![i] as number))).toFixed(3)} (median cpu ms ${median(cpu[baseName] as number[]).toFixed(0)} vs ${median(cpu[candName] as number[]).toFixed(0)})\n(${opts.model}, ${opts.pairs} pairs x ${opts.maxLength} tokens, ${opts.rounds} rounds, tensors ${tf.memory().numTensors})\n`);
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ab-kernels: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
