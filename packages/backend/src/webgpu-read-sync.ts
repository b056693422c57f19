/**
 * `dataSync()` / `arraySync()` on webgpu in Node: a clear error instead of "OffscreenCanvas is
 * not defined".
 *
 * tfjs-backend-webgpu 4.22 reads a GPU buffer synchronously only in a browser, by drawing it into
 * an OffscreenCanvas. Node has no canvas, and Dawn offers no blocking read: a buffer maps only
 * when Dawn processes events on Node's event loop (measured: 7 million synchronous polls of
 * `mapState` over 2 s never saw 'mapped'; it was mapped right after one `await`). So code that
 * runs on webgpu must read with `await tensor.data()`. Values tfjs already holds on the host (a
 * tensor made from a typed array and not yet uploaded, or one read before) still read
 * synchronously, as stock.
 */
import type * as tf from '@tensorflow/tfjs-core';

const OURS = Symbol.for('rewardkit.backend.webgpuReadSync');

interface WebGpuBackendPrototype {
  readSync(this: WebGpuBackendLike, dataId: object): tf.backend_util.BackendValues;
  [OURS]?: true;
}
interface WebGpuBackendLike {
  tensorMap: { get(dataId: object): { values?: unknown; dtype: string } | undefined };
}

export const READ_SYNC_MESSAGE =
  'webgpu in Node cannot read a tensor synchronously (dataSync/arraySync/bufferSync): Dawn maps GPU ' +
  'buffers only on the event loop. Read it with `await tensor.data()` (or `await tensor.array()`).';

/** Wraps WebGPUBackend.prototype.readSync once. Returns true when our wrapper is in place. */
export function applyWebGpuReadSync(backendClass: { prototype: unknown }): boolean {
  const proto = backendClass.prototype as WebGpuBackendPrototype;
  if (proto[OURS]) return true;
  const stock = proto.readSync;
  proto.readSync = function readSync(this: WebGpuBackendLike, dataId: object) {
    const data = this.tensorMap.get(dataId);
    // complex64 reads its parts through readSync again, which lands here for each part
    if (data !== undefined && data.values == null && data.dtype !== 'string' && data.dtype !== 'complex64') {
      throw new Error(READ_SYNC_MESSAGE);
    }
    return stock.call(this, dataId);
  };
  Object.defineProperty(proto, OURS, { value: true });
  return true;
}
