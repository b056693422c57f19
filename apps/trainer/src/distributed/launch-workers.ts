import { gpuBackendAvailable } from '@rewardkit/backend';
import { createLogger, type RunConfig } from '@rewardkit/core';
import type { TrainOptions } from '../train';
import { ProcessGroup } from './process-group';

const log = createLogger('launcher');

export interface LaunchWorkersOptions {
  /** Coordinator address; loopback by default, another interface only when asked. */
  readonly bind: string;
  /** Wait for workers started elsewhere instead of spawning them here. */
  readonly external: boolean;
  readonly token?: string;
  readonly jobId?: string;
  /** Aborting it stops the wait for workers at once (the launcher's Ctrl-C / SIGTERM). */
  readonly signal?: AbortSignal;
  /** Scheduler-chosen ranks (ProcessGroupOptions.rankNames). */
  readonly rankNames?: (rank: number) => string;
  /** How long to wait for every worker's hello (default 180 s). */
  readonly startupTimeoutMs?: number;
}

/**
 * The `spawnWorkers` hook of `train`: `--gpus=N` starts N worker processes, worker i on GPU i
 * when a GPU backend is present, otherwise N CPU workers with one warning.
 */
export function launchWorkers(opts: LaunchWorkersOptions): NonNullable<TrainOptions['spawnWorkers']> {
  return async (cfg: RunConfig, ctx) => {
    const gpu = cfg.backend === 'webgpu' || ((cfg.backend === 'auto' || cfg.backend === 'tensorflow') && gpuBackendAvailable());
    // a count the trainer chose for the CPU (autoWorkers) has already said so
    if (!gpu && !opts.external && !ctx.automatic) {
      log.warn(
        `--gpus=${cfg.gpus}: no GPU backend (@tensorflow/tfjs-node-gpu is not installed or finds no GPU); ` +
          `running ${cfg.gpus} CPU worker processes instead`,
      );
    }
    return ProcessGroup.start({
      size: cfg.gpus,
      runConfigJson: JSON.stringify(cfg),
      padId: ctx.padId,
      modelRef: ctx.modelRef,
      bind: opts.bind,
      spawnLocal: !opts.external,
      gpus: gpu,
      backend: cfg.backend,
      token: opts.token,
      jobId: opts.jobId,
      signal: opts.signal,
      rankNames: opts.rankNames,
      startupTimeoutMs: opts.startupTimeoutMs,
    });
  };
}
