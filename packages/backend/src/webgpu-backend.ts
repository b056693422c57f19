/**
 * Starts tfjs's 'webgpu' backend on the device `webgpu-device.ts` opened, and stops it again.
 *
 * tfjs-backend-webgpu registers its kernels when imported, and its own backend factory only when
 * `navigator.gpu` exists at that moment; we replace that factory with one that wraps our device,
 * so tfjs never calls requestAdapter itself (see webgpu-device.ts for why).
 */
import * as tf from '@tensorflow/tfjs-core';
import { openWebGpu, releaseWebGpu, type WebGpuDevice } from './webgpu-device';
import { applyWebGpuFixes } from './apply-webgpu-fixes';

export const WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';
// Above wasm (2) like tfjs's own factory, so `tf.ready()` alone would also take it.
const PRIORITY = 3;

interface WebGpuModule {
  WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
}

export interface StartedWebGpu extends WebGpuDevice {
  readonly fixes: readonly string[];
}

/**
 * Opens the device (once per process), registers a 'webgpu' backend on it and, when `activate`,
 * makes it the active tfjs backend. Returns the reason as a string when it cannot.
 * `accept(device)` may veto the adapter before tfjs sees it (returns a reason to refuse).
 */
export async function startWebGpu(accept: (d: WebGpuDevice) => string | undefined): Promise<StartedWebGpu | string> {
  const opened = await openWebGpu();
  if (typeof opened === 'string') {
    releaseWebGpu(); // a Dawn instance that found nothing must not keep the process alive either
    return opened;
  }
  const veto = accept(opened);
  if (veto !== undefined) {
    // Let go at once: a Dawn device we will not use must not keep the process alive.
    releaseWebGpu();
    return veto;
  }
  let module: WebGpuModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require(WEBGPU_PACKAGE) as WebGpuModule;
  } catch (err) {
    return `${WEBGPU_PACKAGE} failed to load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  const fixes = applyWebGpuFixes(module.WebGPUBackend);
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new module.WebGPUBackend(opened.device, opened.adapterInfo), PRIORITY);
  if (!(await tf.setBackend('webgpu'))) return `${WEBGPU_PACKAGE} failed to initialize on the Dawn device`;
  // Free the device when the process has nothing left to do. Processes measured here and on an
  // H200 exit without it, but one hang at exit was seen on a GPU host (two processes, one GPU).
  process.once('beforeExit', stopWebGpu);
  return { ...opened, fixes };
}

/**
 * Frees every webgpu tensor and the device, and lets go of Dawn, so that the process can exit
 * (dawn.node keeps the event loop alive while referenced). The active backend falls back to
 * the next registered one. Idempotent; a no-op when webgpu never started.
 */
export function stopWebGpu(): void {
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  releaseWebGpu();
}

/** GPU work recorded by tfjs-webgpu (its programs and ours): compute dispatches and queue submits. */
export interface WebGpuWork {
  readonly dispatches: number;
  readonly submits: number;
}

interface CountableBackend {
  submitQueue(): void;
  dispatchCountInPass: number;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
}

/**
 * Counts the dispatches and submits while `fn` runs on the active webgpu backend, from tfjs's own
 * bookkeeping: every submit goes through `submitQueue`, which holds the dispatches recorded since
 * the last one in `dispatchCountInPass` (so dispatches recorded outside `runWebGPUProgram`, as
 * webgpu-bt-loss-dispatch.ts does, count too). What is recorded before `fn` is submitted first;
 * what `fn` leaves unsubmitted counts as dispatches. Zeros on another backend.
 */
export async function countWebGpuWork<T>(fn: () => T | Promise<T>): Promise<{ value: T } & WebGpuWork> {
  const backend = tf.backend() as unknown as Partial<CountableBackend>;
  if (tf.getBackend() !== 'webgpu' || typeof backend.submitQueue !== 'function') return { value: await fn(), dispatches: 0, submits: 0 };
  const b = backend as CountableBackend;
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
  const stock = b.submitQueue;
  const own = Object.prototype.hasOwnProperty.call(b, 'submitQueue'); // an outer count's wrapper
  let dispatches = 0;
  let submits = 0;
  b.submitQueue = function counted(this: CountableBackend) {
    dispatches += this.dispatchCountInPass;
    submits++;
    stock.call(this);
  };
  try {
    const value = await fn();
    return { value, dispatches: dispatches + b.dispatchCountInPass, submits };
  } finally {
    if (own) b.submitQueue = stock;
    else delete (b as Partial<CountableBackend>).submitQueue; // the prototype's again
  }
}
