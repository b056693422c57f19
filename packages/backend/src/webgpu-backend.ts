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

/**
 * Dispatches per command buffer (tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, default 15). tfjs ends
 * the compute pass and submits after this many dispatches, and before any read or upload. A step
 * records hundreds (tiny preset) to thousands (GPT-2 small) of dispatches, so 15 means one submit
 * per 15: each costs a command-buffer finish and a queue submit on the host, which is the side a
 * tfjs-webgpu step is bound by. Larger batches cut those; the price is that buffers of tensors
 * disposed meanwhile return to tfjs's pool only at the submit (more memory in flight) and the GPU
 * starts a batch later. 128: a tiny-preset step then submits ~3 times instead of ~9 (step profile,
 * lavapipe); the GPU step profile's `submit batch` rows (15, 128, 1024) are where to revisit it.
 */
export const SUBMIT_BATCH_ENV = 'REWARDKIT_WEBGPU_SUBMIT_BATCH';
export const DEFAULT_SUBMIT_BATCH = 128;

/** Sets (and returns) the dispatches per submit: `dispatches`, else the env override, else the default. */
export function setWebGpuSubmitBatch(dispatches?: number): number {
  const fromEnv = process.env[SUBMIT_BATCH_ENV];
  const n = dispatches ?? (fromEnv ? Number(fromEnv) : DEFAULT_SUBMIT_BATCH);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${dispatches === undefined ? SUBMIT_BATCH_ENV : 'setWebGpuSubmitBatch'}: dispatches per submit must be a positive integer, got ${dispatches ?? fromEnv}`);
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', n);
  return n;
}
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
  fixes.push(`a submit every ${setWebGpuSubmitBatch()} dispatches`); // after the import, which registers tfjs's flag
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

/** GPU work recorded by tfjs-webgpu (its programs and ours): compute dispatches, queue submits, host uploads. */
export interface WebGpuWork {
  readonly dispatches: number;
  readonly submits: number;
  /** Tensors whose values went from the host to the GPU (index tensors, masks, token ids, ...). */
  readonly uploads: number;
}

interface CountableBackend {
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { values?: unknown; resource?: unknown } | undefined };
  dispatchCountInPass: number;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
}

/**
 * Counts the dispatches and submits while `fn` runs on the active webgpu backend, from tfjs's own
 * bookkeeping: every submit goes through `submitQueue`, which holds the dispatches recorded since
 * the last one in `dispatchCountInPass` (so dispatches recorded outside `runWebGPUProgram`, as
 * webgpu-bt-loss-dispatch.ts does, count too). What is recorded before `fn` is submitted first;
 * what `fn` leaves unsubmitted counts as dispatches. Uploads: tensors tfjs moves from host values
 * to a GPU buffer (`uploadToGPU` with values and no buffer yet). Zeros on another backend.
 */
export async function countWebGpuWork<T>(fn: () => T | Promise<T>): Promise<{ value: T } & WebGpuWork> {
  const backend = tf.backend() as unknown as Partial<CountableBackend>;
  if (tf.getBackend() !== 'webgpu' || typeof backend.submitQueue !== 'function') return { value: await fn(), dispatches: 0, submits: 0, uploads: 0 };
  const b = backend as CountableBackend;
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
  const stock = b.submitQueue;
  const stockUpload = b.uploadToGPU;
  const own = Object.prototype.hasOwnProperty.call(b, 'submitQueue'); // an outer count's wrappers
  let dispatches = 0;
  let submits = 0;
  let uploads = 0;
  b.submitQueue = function counted(this: CountableBackend) {
    dispatches += this.dispatchCountInPass;
    submits++;
    stock.call(this);
  };
  b.uploadToGPU = function countedUpload(this: CountableBackend, dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data?.values != null && data.resource == null) uploads++;
    stockUpload.call(this, dataId);
  };
  try {
    const value = await fn();
    return { value, dispatches: dispatches + b.dispatchCountInPass, submits, uploads };
  } finally {
    if (own) {
      b.submitQueue = stock;
      b.uploadToGPU = stockUpload;
    } else {
      // the prototype's again
      delete (b as Partial<CountableBackend>).submitQueue;
      delete (b as Partial<CountableBackend>).uploadToGPU;
    }
  }
}
