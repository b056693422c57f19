/**
 * A/B of the embedding gradient modes inside one process (not a test): two replicas of the same
 * seeded model, `--pair=off,rows` (dense gradient against row-sparse, same results) or
 * `--pair=rows,lazy` (dense AdamW against lazy AdamW on the rows used), step on the same batches,
 * alternating which goes first; on a shared machine only such side-by-side ratios mean anything.
 *   tsx apps/trainer/bench/ab-sparse.ts [--pair=off,rows] [--pairs=32] [--max-length=128] [--rounds=6] [--warmup=1] [--world=1|2]
 * `--warmup` untimed rounds first: dense AdamW's cost grows as more embedding rows get moments
 * (a row no batch has reached is skipped), so later steps favour lazy more than the first ones.
 * `--world=2` sums each buffer with itself through an in-process stand-in all-reduce, so the
 * presence vector and the compact buffer take the path several workers take (no sockets timed).
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { learningRate, Replica, type RowSparseMode } from '@rewardkit/engine';
import { formatTable } from './bench-table';
import { int, median, pairedRatio, pairedRounds, prepareAbData } from './paired-ab';

const MODES: readonly RowSparseMode[] = ['off', 'rows', 'lazy'];

async function main(): Promise<void> {
  const opts = new Command('ab-sparse')
    .option('--pair <a,b>', 'embedding gradient modes compared, baseline first (off, rows, lazy)', 'off,rows')
    .option('--pairs <n>', 'pairs per step', int, 32)
    .option('--max-length <n>', 'tokens per sequence', int, 128)
    .option('--rounds <n>', 'timed rounds (one step of each mode)', int, 6)
    .option('--warmup <n>', 'untimed rounds first', int, 1)
    .option('--world <n>', '2: a stand-in all-reduce (the multi-worker buffers, summed in process)', int, 1)
    .parse()
    .opts<{ pair: string; pairs: number; maxLength: number; rounds: number; warmup: number; world: number }>();
  const modes = opts.pair.split(',') as RowSparseMode[];
  if (modes.length !== 2 || !modes.every((m) => MODES.includes(m))) throw new Error(`--pair: two of ${MODES.join(', ')}; got ${opts.pair}`);
  const { cfg, registry, tokenizer, next } = await prepareAbData({ model: 'transformer', pairs: opts.pairs, maxLength: opts.maxLength });
  const replicas = modes.map((mode) => {
    const model = registry.create('model', 'transformer', cfg.model.config, { vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, seed: 1 });
    const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
    return new Replica(model, loss, { ...cfg.train, sparseEmbedding: mode });
  });
  const reduce = opts.world > 1 ? async (buf: Float32Array) => void buf.set(buf.map((x) => x * opts.world)) : undefined;
  const steps = opts.warmup + opts.rounds;
  const arm = (k: number) => async (units: Parameters<Replica['trainStep']>[0], r: number) =>
    (await replicas[k].trainStep(units, { step: r + 1, lr: learningRate({ ...cfg.train, steps }, r + 1) }, reduce)).loss;
  const { wall, cpu, results: losses } = await pairedRounds(opts, next, [arm(0), arm(1)]);
  const same = replicas[0].theta.every((x, i) => Object.is(x, replicas[1].theta[i]));
  process.stdout.write(
    formatTable(modes.map((mode, k) => ({ mode, 'ms/step (median)': median(wall[k]), 'ms min': Math.min(...wall[k]), 'CPU ms (median)': median(cpu[k]), 'loss last': losses[k][losses[k].length - 1] }))) +
      `\npaired over rounds (${modes[0]} / ${modes[1]}, same batch): wall ${pairedRatio(wall[0], wall[1]).toFixed(3)}, CPU ${pairedRatio(cpu[0], cpu[1]).toFixed(3)}; ` +
      `parameters after ${steps} steps ${same ? 'bit-identical' : 'differ'}\n(transformer, ${opts.pairs} pairs x ${opts.maxLength} tokens, ${opts.warmup} + ${opts.rounds} rounds, world ${opts.world}, tensors ${tf.memory().numTensors})\n`,
  );
  replicas.forEach((r) => r.model.dispose());
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ab-sparse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
