#!/usr/bin/env tsx
/**
 * Hyper-parameter sweep over named run-config fields; each trial is a `trainer launch` process.
 *   nx run trainer:sweep --model=transformer --grid model.config.nEmbd=64,128 --grid train.lr=1e-3,3e-3 --parallel 2
 *   nx run trainer:sweep --grid train.lr=log-uniform:3e-4:1e-2 --budget 6 --steps 200 --out runs/lr-sweep
 *   nx run trainer:sweep --model=transformer --grid train.ema=0,0.995 --seeds 1,2,3 --parallel 2   # ranked by the mean over seeds
 * Prints the trials ranked by held-out accuracy; writes OUT/sweep.json and OUT/best-config.json
 * (rerun the winner with `trainer launch --config OUT/best-config.json --out ...`).
 */
import { ConfigError, createLogger, RewardkitError } from '@rewardkit/core';
import { workerCountGiven } from '../launch-options';
import { StopSignals } from '../stop-signals';
import { parseAxes } from './sweep-grid';
import { parseSweepArgs, SWEEP_USAGE } from './sweep-args';
import { runSweep, sweepTable } from './sweep';
import { SEED_KEY, seedTable } from './sweep-seeds';

const log = createLogger('sweep');

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SWEEP_USAGE}\n`);
    return;
  }
  const args = parseSweepArgs(argv);
  if (args.grid.length === 0) throw new ConfigError(`a sweep needs at least one --grid\n${SWEEP_USAGE}`);
  const axes = parseAxes(args.grid);
  const stop = new StopSignals(log);
  try {
    // a stop signal is passed on to the running trials (each checkpoints and exits); no new one starts
    // one worker per trial unless asked: the sweep's parallelism is its trials (--parallel)
    const given = workerCountGiven(args.launch);
    const baseArgs = given ? args.launchArgs : [...args.launchArgs, '--gpus=1'];
    const result = await runSweep({ ...args, axes, baseArgs, base: given ? args.launch : { ...args.launch, gpus: 1 }, signal: stop.signal });
    const seedAxis = args.seeds ? [{ key: SEED_KEY, kind: 'list' as const, values: args.seeds.map(String) }] : [];
    process.stdout.write(`${sweepTable(result.ranked, [...axes, ...seedAxis], args.metric)}\n`);
    if (result.configs) process.stdout.write(`\nover seeds ${args.seeds!.join(', ')}:\n${seedTable(result.configs, axes, args.metric)}\n`);
    process.stdout.write(`best: ${result.best.id} (${result.best.sets.join(' ')}): ${args.metric} ${result.best.value!.toFixed(4)}\n`);
    process.stdout.write(`best config: ${args.out}/best-config.json\n`);
  } finally {
    stop.dispose();
    if (stop.exitCode !== undefined) process.exitCode = stop.exitCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(err instanceof RewardkitError ? `error: ${err.message}\n` : `${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
