import os from 'node:os';
import { gpuBackendAvailable, listGpus } from '@rewardkit/backend';
import { ConfigError, type RunConfig } from '@rewardkit/core';

/**
 * How many local worker processes `--gpus=N` may start. Several workers per device pay off (two
 * processes on two cores ran 1.93x one; several workers on one GPU measured 2x one), but `--gpus=1000`
 * would fork a thousand tfjs processes and take the machine down: refuse more than
 * WORKERS_PER_DEVICE per GPU (or per core when the workers run on the CPU) before forking anything.
 */
export const WORKERS_PER_DEVICE = 4;

/** What the local workers would run on. */
export interface LocalDevices {
  /** Logical CPU cores this process may use. */
  readonly cores: number;
  /** GPUs the workers would use; 0 when they run on the CPU. */
  readonly gpus: number;
}

/** PCI vendors whose display controllers are GPUs a backend can run on (virtual VGA adapters are not). */

/**
 * The devices of this machine, as the launcher will use them: GPUs count only when a GPU backend
 * can run here (packages/backend's gpuBackendAvailable) and the run does not ask for a CPU backend.
 */
export function detectLocalDevices(backend: RunConfig['backend']): LocalDevices {
  const cores = os.availableParallelism();
  if (backend === 'wasm' || backend === 'cpu' || !gpuBackendAvailable()) return { cores, gpus: 0 };
  return { cores, gpus: listGpus().length };
}

/** Throws a ConfigError when `workers` local processes would oversubscribe `devices`. */
export function checkWorkerCount(workers: number, devices: LocalDevices, oversubscribe = false): void {
  const [count, unit] = devices.gpus > 0 ? [devices.gpus, 'GPU'] : [devices.cores, 'CPU core'];
  const limit = WORKERS_PER_DEVICE * count;
  if (workers <= limit || oversubscribe) return;
  const machine = `this machine has ${devices.gpus} GPU(s) the workers can use and ${devices.cores} CPU core(s)`;
  throw new ConfigError(
    `--gpus=${workers}: ${machine}; ${workers} worker processes would be more than ${WORKERS_PER_DEVICE} per ${unit} ` +
      `(at most ${limit} here). Use fewer, --external-workers to run them on other hosts, or --oversubscribe to start them anyway`,
  );
}
