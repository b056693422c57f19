import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { GPU_INDEX_ENV } from '@rewardkit/backend';
import { logRaw } from '@rewardkit/core';
import { ENV } from './worker-env';

/** The repository root: workers run the same sources, through tsx, from there. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const MAIN = path.join(REPO_ROOT, 'apps', 'trainer', 'src', 'main.ts');
/**
 * Defined by tools/bundle (esbuild `define`): in the offline bundle, workers run the bundled
 * trainer that sits beside this (bundled) file, with plain node and no tsx.
 */
declare const REWARDKIT_BUNDLED_TRAINER: string | undefined;
const BUNDLED = typeof REWARDKIT_BUNDLED_TRAINER === 'string' ? path.join(__dirname, REWARDKIT_BUNDLED_TRAINER) : undefined;

export interface SpawnWorkerOptions {
  readonly workerId: string;
  readonly connect: string;
  readonly token: string;
  readonly jobId: string;
  /** Sets CUDA_VISIBLE_DEVICES so that this worker sees only its own GPU. */
  readonly gpuIndex?: number;
  readonly backend: string;
  /** Host its ring socket binds (default: REWARDKIT_COLLECTIVE_HOST, else loopback). */
  readonly collectiveHost?: string;
}

/**
 * Starts one local worker process. Its stdin is a pipe from us (EOF tells it we died), its log
 * lines are relayed through our logger so they stay above the progress bar.
 */
export function spawnWorker(opts: SpawnWorkerOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [ENV.token]: opts.token,
    [ENV.jobId]: opts.jobId,
    [ENV.workerId]: opts.workerId,
    [ENV.parentPipe]: '1',
    [ENV.backend]: opts.backend,
  };
  // CUDA_VISIBLE_DEVICES places tfjs-node-gpu; Vulkan ignores it, so webgpu reads GPU_INDEX_ENV (webgpu-placement.ts)
  if (opts.collectiveHost !== undefined) env[ENV.collectiveHost] = opts.collectiveHost;
  if (opts.gpuIndex !== undefined) Object.assign(env, { CUDA_VISIBLE_DEVICES: String(opts.gpuIndex), [GPU_INDEX_ENV]: String(opts.gpuIndex) });
  const entry = BUNDLED ? [BUNDLED] : ['--import', 'tsx', MAIN];
  const child = spawn(process.execPath, [...entry, 'worker', '--connect', opts.connect], {
    cwd: BUNDLED ? process.cwd() : REPO_ROOT,
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  readline.createInterface({ input: child.stderr! }).on('line', (line) => logRaw('info', line));
  child.stdin!.on('error', () => undefined); // EPIPE once the child is gone
  return child;
}
