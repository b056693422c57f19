/**
 * `trainer launch --cluster=...`: one command for every rank a scheduler starts. Rank 0 becomes the
 * coordinator, waiting for external workers pinned to the scheduler's ranks, and also starts worker
 * rank 0 as its own child on its own GPU (so N scheduled ranks are N replicas, none left idle);
 * every other rank becomes worker `rank-<r>`. A lost rank makes the others regroup: they start over
 * and say hello again, and the job resumes from its newest checkpoint once the scheduler has
 * restarted the lost one (process-group.ts recover). Rank 0's worker writes the checkpoints and the final
 * model, on rank 0's host: --out must be a path every rank can read (a restore reads it on each).
 * The token comes from the scheduler's secret (cluster-env.ts jobToken), never from argv.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GPU_INDEX_ENV } from '@rewardkit/backend';
import { ConfigError, createLogger, type RunConfig } from '@rewardkit/core';
import { clusterRole, collectiveHostFor, coordinatorAddress, coordinatorBindAddress, jobToken, type ClusterKind, type ClusterRole, type Env } from './cluster-env';
import { launchWorkers } from './distributed/launch-workers';
import { spawnWorker } from './distributed/spawn-worker';
import { runWorker } from './distributed/worker';
import { EXIT_REGROUP } from './distributed/worker-env';
import type { LaunchOptions } from './launch-options';
import type { TrainOptions } from './train';

const log = createLogger('cluster');

/** Ranks start when the scheduler gets to them (image pulls, node boot): wait this long for each other. */
export const CLUSTER_STARTUP_MS = 600_000;

export interface ClusterSetup {
  readonly role: ClusterRole;
  readonly token: string;
  /** The IPv4 address this rank's ring socket binds. */
  readonly collectiveHost: string;
}

/** Reads the role and the token, refusing options that contradict the scheduler or leak the token. */
export function clusterSetup(kind: ClusterKind, opts: LaunchOptions, env: Env = process.env): ClusterSetup | undefined {
  const role = clusterRole(kind, env);
  if (!role) return undefined;
  if (opts.token !== undefined) {
    throw new ConfigError('--cluster: --token is refused (the command line shows in `ps`); give the token in REWARDKIT_TOKEN_FILE or REWARDKIT_TOKEN');
  }
  if (opts.externalWorkers) throw new ConfigError('--cluster: --external-workers is implied (the scheduler starts the workers); drop it');
  if (opts.gpus !== undefined && opts.gpus !== role.worldSize) {
    throw new ConfigError(`--cluster=${role.scheduler}: --gpus=${opts.gpus} but the scheduler started ${role.worldSize} ranks; drop --gpus (one worker per rank)`);
  }
  const token = jobToken(env, (file) => fs.readFileSync(file, 'utf8'));
  return { role, token, collectiveHost: collectiveHostFor(role, env, os.networkInterfaces()) };
}

/** The name a rank's worker gives in its Hello; the coordinator holds rank r for `rank-r` only. */
export const rankName = (rank: number): string => `rank-${rank}`;

/** A rank other than 0: one worker on this rank's GPU until the coordinator says done. */
export async function runClusterWorker(setup: ClusterSetup, opts: LaunchOptions): Promise<void> {
  const { role } = setup;
  if (role.rank === 0) throw new Error('rank 0 is the coordinator');
  // the same job also gets the scheduler's SIGTERM on rank 0, which checkpoints and then shuts us
  // down: leaving now would lose that checkpoint's step. Silence from rank 0 still ends us.
  process.on('SIGTERM', () => log.warn(`rank ${role.rank}: SIGTERM; waiting for the coordinator to checkpoint and stop the job`));
  Object.assign(process.env, gpuEnv(role, process.env));
  if (opts.backend) process.env.REWARDKIT_BACKEND = opts.backend;
  log.info(`${role.scheduler} rank ${role.rank}/${role.worldSize} (local ${role.localRank}): worker of ${coordinatorAddress(role)}`);
  for (;;) {
    await runWorker({
      connect: coordinatorAddress(role),
      token: setup.token,
      jobId: role.jobId,
      workerId: rankName(role.rank),
      collectiveHost: setup.collectiveHost,
      firstContactMs: CLUSTER_STARTUP_MS,
      failUnlessDone: true,
    });
    // another rank was lost: start over (a new connection, a new ring socket) and rejoin
    if (process.exitCode !== EXIT_REGROUP) return;
    process.exitCode = undefined;
    log.info(`rank ${role.rank}: regrouping with ${coordinatorAddress(role)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the coordinator frees the ranks first

  }
}

/**
 * Rank 0's `spawnWorkers`: starts worker rank 0 as a child on this host, then awaits the other
 * ranks at the coordinator address. `dispose` (after training, when the group has told it to shut
 * down) gives the child 5 s to exit by itself, then kills it.
 */
export function clusterWorkers(setup: ClusterSetup, signal: AbortSignal): { spawnWorkers: NonNullable<TrainOptions['spawnWorkers']>; dispose(): Promise<void> } {
  const { role } = setup;
  const bind = coordinatorBindAddress(role);
  const external = launchWorkers({ bind, external: true, token: setup.token, jobId: role.jobId, signal, rankNames: rankName, startupTimeoutMs: CLUSTER_STARTUP_MS });
  let child: ReturnType<typeof spawnWorker> | undefined;
  let disposed = false;
  const start = (cfg: RunConfig) => {
    // dial ourselves on loopback unless we bound one interface only
    const started = spawnWorker({
      workerId: rankName(0),
      connect: bind.replace('tcp://0.0.0.0:', 'tcp://127.0.0.1:'),
      token: setup.token,
      jobId: role.jobId,
      gpuIndex: placement(role),
      backend: cfg.backend,
      collectiveHost: setup.collectiveHost,
    });
    // told to regroup (another rank was lost), worker rank 0 starts over like the others
    started.once('exit', (code) => {
      if (code === EXIT_REGROUP && !disposed) child = start(cfg);
    });
    return started;
  };
  return {
    spawnWorkers: async (cfg: RunConfig, ctx) => {
      log.info(`${role.scheduler} rank 0/${role.worldSize}: coordinator on ${bind} (ranks dial ${coordinatorAddress(role)}), worker rank 0 on this host`);
      child = start(cfg);
      return external(cfg, ctx);
    },
    dispose: async () => {
      disposed = true;
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
        running.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * Resumes a run already in --out: a requeued job (preemption, a lost rank) continues from its
 * newest intact checkpoint with the same command. --overwrite still starts over.
 */
export function resumeInCluster(cfg: RunConfig, opts: LaunchOptions): boolean {
  const found = !opts.overwrite && fs.existsSync(path.join(cfg.out, 'config.json'));
  if (found && !opts.resume) log.info(`${cfg.out} holds this run already: resuming it (requeued job)`);
  return Boolean(opts.resume) || found;
}

/** The GPU index of this rank's worker: REWARDKIT_GPU_INDEX set by the operator wins. */
function placement(role: ClusterRole, env: Env = process.env): number | undefined {
  const forced = env[GPU_INDEX_ENV];
  return forced !== undefined && forced !== '' ? Number(forced) : role.gpuIndex;
}

/** Variables that put this process's own worker on its GPU (spawn-worker.ts does the same for children). */
export function gpuEnv(role: ClusterRole, env: Env): Record<string, string> {
  const index = placement(role, env);
  return index === undefined ? {} : { CUDA_VISIBLE_DEVICES: String(index), [GPU_INDEX_ENV]: String(index) };
}
