#!/usr/bin/env tsx
/**
 * rewardkit trainer.
 *   nx run trainer:launch                      # embedded HH-RLHF sample, default model, CPU
 *   nx run trainer:launch --gpus=4             # 4 worker processes, all-reducing over ZeroMQ
 *   nx run trainer:launch --model=transformer --steps=300 --out=runs/tf
 *   nx run trainer:launch --resume --out=runs/tf
 */
import { Command } from 'commander';
import { createLogger } from '@rewardkit/core';
import { runCli } from '@rewardkit/runtime';
import { addLaunchOptions, resolveRunConfig, type LaunchOptions } from './launch-options';
import { train } from './train';

const log = createLogger('trainer');

async function launch(opts: LaunchOptions): Promise<void> {
  const cfg = resolveRunConfig(opts);
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130); // a second Ctrl-C: leave now
    stopRequested = true;
    log.warn('interrupted: finishing this step and writing a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await train(cfg, { resume: opts.resume, shouldStop: () => stopRequested });
    const acc = result.eval?.accuracy;
    if (acc !== undefined) {
      process.stdout.write(
        `held-out accuracy: ${acc.toFixed(4)} (${result.eval!.n} pairs, ${result.eval!.ties} ties, ` +
          `mean margin ${result.eval!.mean_margin.toFixed(4)})\nmodel: ${result.finalDir}\n`,
      );
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function buildProgram(): Command {
  const program = new Command('trainer').description('Train Bradley-Terry reward models on preference pairs.');
  addLaunchOptions(program.command('launch').description('train a reward model (the coordinator)')).action(launch);
  return program;
}

if (require.main === module) void runCli(buildProgram());
