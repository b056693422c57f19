/**
 * A/B of wasm kernel sets inside one process (not a test): on a shared, noisy machine only
 * ratios measured side by side mean anything, so training steps alternate between
 *   before: the kernel fixes up to 2026-11-30 (transpose-first matMul, fused bias, segment sum)
 *   after:  everything applyWasmFixes() registers now
 * on the same batches, swapping the registered kernels between steps.
 * --pair=after,fused compares `after` with `after` plus the opt-in fused layer norm / GELU / attention;
 * --pair=stockTile,after times the Tile kernel alone; --pair=jsLoops,after the SIMD heap kernels
 * (wasm-simd-kernels.ts) against the JavaScript loops and XNNPACK products before them
 * (kernel-sets.ts names every set).
 *   tsx apps/trainer/bench/ab-kernels.ts [--model=transformer] [--pairs=32] [--max-length=128] [--rounds=6] [--pair=before,after|after,fused|stockTile,after|jsLoops,after]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { learningRate, Replica } from '@rewardkit/engine';
import { captureKernelSets, KERNEL_SET_NAMES, type KernelSetName } from './kernel-sets';
import { formatTable } from './bench-table';
import { int, median, pairedRatio, pairedRounds, prepareAbData } from './paired-ab';

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
  const sets = [captured[baseName], captured[candName]] as const;
  const { cfg, registry, tokenizer, next } = await prepareAbData(opts);
  const model = registry.create('model', cfg.model.name, cfg.model.config, { vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, seed: 1 });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const replica = new Replica(model, loss, cfg.train);
  // one replica, the kernels swapped between its steps; round 0 warms both sets up
  let step = 0;
  const arm = (k: number) => async (units: Parameters<Replica['trainStep']>[0]) => {
    sets[k].install();
    await replica.trainStep(units, { step: ++step, lr: learningRate({ ...cfg.train, steps: 2 * (opts.rounds + 1) }, step) });
  };
  const { wall, cpu } = await pairedRounds({ warmup: 1, rounds: opts.rounds }, next, [arm(0), arm(1)]);
  const [base, cand] = wall;
  const before = median(base);
  const after = median(cand);
  process.stdout.write(formatTable([
    { kernels: baseName, 'ms/step (median)': before, 'ms min': Math.min(...base), 'speed-up': 1 },
    { kernels: candName, 'ms/step (median)': after, 'ms min': Math.min(...cand), 'speed-up': before / after },
  ]) + `\npaired: median over rounds of (${baseName} ms / ${candName} ms) on the same batch = ${pairedRatio(base, cand).toFixed(3)}; CPU time: ${pairedRatio(cpu[0], cpu[1]).toFixed(3)} (median cpu ms ${median(cpu[0]).toFixed(0)} vs ${median(cpu[1]).toFixed(0)})\n(${opts.model}, ${opts.pairs} pairs x ${opts.maxLength} tokens, ${opts.rounds} rounds, tensors ${tf.memory().numTensors})\n`);
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ab-kernels: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
