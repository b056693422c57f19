#!/usr/bin/env tsx
/**
 * rewardkit trainer.
 *   nx run trainer:launch                      # embedded HH-RLHF sample, default model, CPU
 *   nx run trainer:launch --gpus=4             # 4 worker processes, all-reducing over ZeroMQ
 *   nx run trainer:launch --model=transformer --steps=300 --out=runs/tf
 *   nx run trainer:launch --resume --out=runs/tf
 *   nx run trainer:launch --train=big.jsonl --epochs=3 --set 'train.earlyStop={"patience":3}'
 */
import { Command } from 'commander';
import os from 'node:os';
import { ConfigError, createLogger, RewardkitError, RunConfigSchema } from '@rewardkit/core';
import { runCli } from '@rewardkit/runtime';
import { launchWorkers } from './distributed/launch-workers';
import { runWorker } from './distributed/worker';
import { ENV } from './distributed/worker-env';
import { clusterSetup, clusterWorkers, resumeInCluster, runClusterWorker } from './cluster-launch';
import { addLaunchOptions, resolveRunConfig, workerCountGiven, type LaunchOptions } from './launch-options';
import { StopSignals } from './stop-signals';
import { train } from './train';
import { checkWorkerCount, detectLocalDevices } from './worker-count';

const log = createLogger('trainer');
const DEFAULT_OUT = RunConfigSchema.shape.out.parse(undefined);

async function launch(opts: LaunchOptions): Promise<void> {
  // under a scheduler (cluster-launch.ts): ranks 1.. are workers, rank 0 the coordinator of them all
  const cluster = clusterSetup(opts.cluster ?? 'none', opts);
  if (cluster && cluster.role.rank > 0) return runClusterWorker(cluster, opts);
  const cfg = resolveRunConfig(cluster ? { ...opts, gpus: cluster.role.worldSize } : opts);
  // before anything is forked or written: external workers run elsewhere, local ones here
  if (cfg.gpus > 1 && !opts.externalWorkers && !cluster) checkWorkerCount(cfg.gpus, detectLocalDevices(cfg.backend), opts.oversubscribe);
  const stop = new StopSignals(log);
  const resume = cluster ? resumeInCluster(cfg, opts) : opts.resume;
  const ranks = cluster && clusterWorkers(cluster, stop.signal);
  try {
    const result = await train(cfg, {
      resume,
      // runs/default, used when no --out is chosen, is scratch space: the headline command may be re-run
      overwrite: opts.overwrite || (!resume && cfg.out === DEFAULT_OUT),
      shouldStop: () => stop.requested,
      // no --gpus (nor gpus in the config): the trainer chooses, for workers it starts on this host
      autoWorkers: !cluster && !opts.externalWorkers && !workerCountGiven(opts) ? { devices: detectLocalDevices(cfg.backend), oversubscribe: opts.oversubscribe } : undefined,
      // a stop signal also ends a wait for (external) workers at once
      spawnWorkers: ranks
        ? ranks.spawnWorkers
        : launchWorkers({ bind: opts.bind, external: Boolean(opts.externalWorkers), token: opts.token, jobId: opts.job, signal: stop.signal }),
    });
    const acc = result.eval?.accuracy;
    if (acc !== undefined) {
      process.stdout.write(
        `held-out accuracy: ${acc.toFixed(4)} (${result.eval!.n} pairs` +
          `${ci(result.eval!) ?? ''}, ${result.eval!.ties} ties` +
          `${result.eval!.margin_mean !== undefined ? `, mean margin ${result.eval!.margin_mean.toFixed(4)}` : ''})\nmodel: ${result.finalDir}` +
          // early stopping may export an earlier step than the last trained
          `${result.exportedStep !== undefined && result.exportedStep !== result.steps ? ` (step ${result.exportedStep} of ${result.steps}: the best held-out evaluation)` : ''}\n`,
      );
    }
  } catch (err) {
    // interrupted before training began (waiting for workers): a stop, not a failure
    if (!(stop.requested && err instanceof RewardkitError && err.code === 'E_INTERRUPTED')) throw err;
    log.warn(err.message);
  } finally {
    if (ranks) await ranks.dispose();
    stop.dispose();
    // a stopped run is not a finished one: 130 (SIGINT) or 143 (SIGTERM)
    if (stop.exitCode !== undefined) process.exitCode = stop.exitCode;
  }
}

export function buildProgram(): Command {
  const program = new Command('trainer').description('Train Bradley-Terry reward models on preference pairs.');
  addLaunchOptions(program.command('launch').description('train a reward model (the coordinator)')).action(launch);
  program
    .command('worker')
    .description('a worker process (the coordinator starts these; start them by hand on other hosts)')
    .requiredOption('--connect <address>', 'the coordinator, e.g. tcp://10.0.0.1:5555')
    .option('--token <secret>', 'the job token (default: $REWARDKIT_TOKEN)', process.env[ENV.token])
    .option('--job <id>', 'the job id (default: $REWARDKIT_JOB_ID)', process.env[ENV.jobId])
    .option('--id <name>', 'this worker\'s name (default: $REWARDKIT_WORKER_ID or host-pid)', process.env[ENV.workerId] ?? `${os.hostname()}-${process.pid}`)
    .option('--collective-host <host>', 'address peers reach this worker\'s ring socket at', process.env[ENV.collectiveHost] ?? '127.0.0.1')
    .action(async (o: { connect: string; token?: string; job?: string; id: string; collectiveHost: string }) => {
      if (!o.token || !o.job) throw new ConfigError('worker: --token and --job are required (the coordinator prints them)');
      await runWorker({ connect: o.connect, token: o.token, jobId: o.job, workerId: o.id, collectiveHost: o.collectiveHost });
    });
  return program;
}

if (require.main === module) void runCli(buildProgram());

/** ", 95% CI lo-hi" from the accuracy evaluator's bootstrap interval (flattened as accuracy_ci.0/.1). */
function ci(figures: Record<string, number>): string | undefined {
  const lo = figures['accuracy_ci.0'];
  const hi = figures['accuracy_ci.1'];
  return lo !== undefined && hi !== undefined ? `, 95% CI ${lo.toFixed(3)}-${hi.toFixed(3)}` : undefined;
}
