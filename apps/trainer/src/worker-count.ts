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

/**
 * Below this much forward + backward work per worker and step, a second worker costs more than it
 * saves: sending its shard, the ring all-reduce and the wait for the slower shard take 20-60 ms a
 * step here. Measured on 2 cores (BENCHMARKS.md "Worker processes"): the bag model's ~0.01 GFLOP
 * step ran at 0.63x with two workers; the default transformer's ~6 GFLOP step ran the whole
 * 250-step run 1.64x faster with two (1:29 against 2:26, the same CPU seconds), and still 1.2x
 * after the SIMD kernels made its step 2.2x cheaper (1:01 against 1:13).
 */
export const MIN_GFLOP_PER_WORKER = 1;
/** Fewer pairs than this per worker leave products too small to pay for the split. */
export const MIN_PAIRS_PER_WORKER = 8;

/** What one optimizer step costs, as the automatic worker count estimates it. */
export interface StepCost {
  /** Pairs (units) per global batch. */
  readonly pairs: number;
  /** Forward + backward GFLOP of a full global batch at the longest sequence length (needed without a GPU). */
  readonly gflop?: number;
}

export interface WorkerChoice {
  readonly workers: number;
  /** One line for the log: what was counted and why this many. */
  readonly reason: string;
}

/**
 * The worker count when none is given: one per GPU where the workers run on GPUs; on the CPU,
 * as many as the cores allow while each worker still gets MIN_GFLOP_PER_WORKER of each step's
 * work. Either way each worker gets at least MIN_PAIRS_PER_WORKER pairs of the global batch.
 */
export function autoWorkerCount(devices: LocalDevices, cost: StepCost): WorkerChoice {
  const byBatch = Math.max(1, Math.floor(cost.pairs / MIN_PAIRS_PER_WORKER));
  const perBatch = `at least ${MIN_PAIRS_PER_WORKER} of the ${cost.pairs} pairs of a step per worker`;
  if (devices.gpus > 0) {
    const workers = Math.min(devices.gpus, byBatch);
    return { workers, reason: `one per GPU (${devices.gpus} found)${workers < devices.gpus ? `, limited by ${perBatch}` : ''}` };
  }
  if (cost.gflop === undefined) return { workers: 1, reason: 'no GPU, and the model gave no step cost' };
  const byWork = Math.max(1, Math.floor(cost.gflop / MIN_GFLOP_PER_WORKER));
  const workers = Math.min(devices.cores, byWork, byBatch);
  const limit = workers === devices.cores ? 'the cores' : workers === byWork ? `at least ${MIN_GFLOP_PER_WORKER} GFLOP of each step per worker` : perBatch;
  return {
    workers,
    reason: `no GPU; a step is ~${cost.gflop.toPrecision(2)} GFLOP on ${devices.cores} CPU core(s), limited by ${limit}`,
  };
}
