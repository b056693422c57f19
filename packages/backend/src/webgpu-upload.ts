/**
 * Large host<->GPU transfers on webgpu in chunks, so no transfer maps a buffer bigger than
 * `transferChunkBytes()` (4 MiB).
 *
 * Why: tfjs-backend-webgpu 4.22 uploads a tensor by creating its STORAGE buffer with
 * `mappedAtCreation: true` (Dawn backs that with a host-visible staging buffer of the full size) or,
 * for a buffer reused from its pool, through a full-size MAP_WRITE staging buffer; and it reads one
 * back through a full-size MAP_READ staging buffer that it then keeps in its pool. Host-visible
 * memory is what Vulkan drivers give out sparingly: on the H200 (Dawn over NVIDIA's driver) the
 * gpt2-small preset (a ~500 MB flat parameter vector, and with the host parameter store every
 * parameter every step) flooded `vkAllocateMemory failed with VK_ERROR_OUT_OF_DEVICE_MEMORY` from
 * CreateBuffer and then `createBuffer failed to allocate a buffer mapped at creation`, with 143 GB of
 * device memory free. A failed CreateBuffer in Dawn yields an error buffer that reads as zeros, which
 * is how the device store "finished" with its loss stuck at ln 2 / NaN.
 *
 * Upload (size > chunk, float32/int32/bool with host values): the destination is acquired with
 * `mappedAtCreation: false` and filled by `queue.writeBuffer` one chunk at a time; Dawn stages each
 * chunk in its own small upload buffer. After each chunk an empty `queue.submit([])` makes Dawn
 * submit that copy and tick, so it can free the staging of chunks the GPU has finished instead of
 * holding the whole tensor's worth until the next tick. Smaller uploads keep tfjs's own path.
 *
 * Ordering: tfjs records kernels into `backend.commandEncoder` and submits them later (every
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches, or on a read), while `queue.writeBuffer` takes effect
 * at the next queue operation, i.e. BEFORE commands recorded earlier but not yet submitted. tfjs's
 * pool rules mostly keep that from mattering (a tensor used by an unsubmitted kernel goes back to
 * the pool only at the next submit), but not always: its own small-upload path records a staging
 * copy INTO a buffer, and a tensor disposed before any kernel used it returns that buffer to the
 * pool with the copy still unsubmitted. So before writing, a large upload first submits whatever is
 * recorded (`submitQueue()`, after ending an open compute pass), and only then acquires its buffer:
 * everything recorded before the upload runs before the write, everything recorded after runs after
 * it, whatever the pool hands out. The cost is one extra submit per upload larger than a chunk.
 *
 * Read-back (buffer > chunk): the buffer is first copied, in the same submit, to a private
 * device-local buffer (so a tensor disposed and its buffer reused while the read is awaited cannot
 * change what is read; stock copies all of it before its one await), then read through up to 16
 * pooled chunk-sized MAP_READ buffers, 16 chunks per submit and map, so a 64 MiB gradient bucket
 * still costs one event-loop round trip, as stock. The private copy is destroyed at the end.
 *
 * Read into a caller's array (`READ_INTO`, a method on the backend: engine code calls it through
 * `readTensorInto` in parameter-store-transfer.ts without depending on this package): the same
 * pooled chunk-sized MAP_READ lanes, but each mapped chunk is copied straight into the caller's
 * Float32Array. No private snapshot (the caller holds the tensor until the read resolves, so its
 * buffer cannot be reused meanwhile), no fresh full-size ArrayBuffer (page faults on every step's
 * 500 MB gradient), and one host copy instead of two. Any size, not only above a chunk.
 */
import * as tf from '@tensorflow/tfjs-core';

const OURS = Symbol.for('rewardkit.backend.webgpuChunkedTransfer');

/**
 * Overrides the chunk size (bytes, a multiple of 8): to run any suite with every transfer chunked
 * (e.g. 4096), or to try another size on a GPU host.
 */
export const CHUNK_BYTES_ENV = 'REWARDKIT_WEBGPU_CHUNK_BYTES';
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
let chunkBytes = checkedChunk(process.env[CHUNK_BYTES_ENV] ? Number(process.env[CHUNK_BYTES_ENV]) : DEFAULT_CHUNK_BYTES, CHUNK_BYTES_ENV);

// mapAsync offsets must be multiples of 8, copy sizes multiples of 4
function checkedChunk(bytes: number, source: string): number {
  if (!Number.isInteger(bytes) || bytes < 8 || bytes % 8 !== 0) {
    throw new RangeError(`${source}: the webgpu transfer chunk must be a positive multiple of 8 bytes, got ${bytes}`);
  }
  return bytes;
}

/** The fix's label for the log line, e.g. "uploads and reads over 4 MiB in chunks". */
export function chunkedTransferLabel(): string {
  const size = chunkBytes % (1024 * 1024) === 0 ? `${chunkBytes / (1024 * 1024)} MiB` : `${chunkBytes} bytes`;
  return `uploads and reads over ${size} in chunks`;
}

/** The largest buffer a transfer maps; tests lower it to cross many chunk boundaries cheaply. */
export function transferChunkBytes(bytes?: number): number {
  if (bytes !== undefined) chunkBytes = checkedChunk(bytes, 'transferChunkBytes');
  return chunkBytes;
}

/** The WebGPU usage flags we use (the GPUBufferUsage / GPUMapMode globals' values, from the spec). */
const MAP_READ = 0x0001;
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
interface TensorData {
  dtype: string;
  shape: number[];
  values: ArrayLike<number> | null | undefined;
  resource?: unknown;
}
interface WebGpuBackendLike {
  tensorMap: { get(dataId: object): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuBuffer; releaseBuffer(b: GpuBuffer, reuse?: boolean): void };
  device: { createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer };
  queue: { writeBuffer(b: GpuBuffer, offset: number, data: ArrayBufferView, dataOffset?: number, size?: number): void; submit(cmds: unknown[]): void };
  commandEncoder: { copyBufferToBuffer(src: GpuBuffer, so: number, dst: GpuBuffer, doff: number, size: number): void } | null;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}
interface WebGpuBackendPrototype {
  uploadToGPU(this: WebGpuBackendLike, dataId: object): void;
  getBufferData(this: WebGpuBackendLike, buffer: GpuBuffer): Promise<ArrayBuffer | null>;
  [OURS]?: true;
}

/** Submits what tfjs has recorded so far, so a queue write lands after it. */
function flushRecorded(backend: WebGpuBackendLike): void {
  if (backend.commandEncoder == null) return;
  backend.endComputePassEncoder();
  backend.submitQueue();
}

function uploadChunked(backend: WebGpuBackendLike, data: TensorData, size: number): void {
  flushRecorded(backend);
  const buffer = backend.bufferManager.acquireBuffer(size, STORAGE | COPY_SRC | COPY_DST);
  const values = data.values as ArrayLike<number>;
  // bool and int32 are int32 on the GPU, as in tfjs's own upload
  const wide: Float32Array | Int32Array =
    data.dtype === 'float32'
      ? values instanceof Float32Array ? values : Float32Array.from(values)
      : values instanceof Int32Array ? values : Int32Array.from(values);
  const count = size / 4;
  const perChunk = chunkBytes / 4;
  for (let start = 0; start < count; start += perChunk) {
    const n = Math.min(perChunk, count - start);
    // a typed array's dataOffset and size count elements, not bytes
    backend.queue.writeBuffer(buffer, start * 4, wide, start, n);
    backend.queue.submit([]); // Dawn submits the staged copy and ticks: finished staging is freed
  }
  data.values = null; // once uploaded, tfjs keeps no host copy
  data.resource = buffer;
}

/** Chunks a read has mapped at once: 16 x 4 MiB, so a 64 MiB gradient bucket is one round trip. */
const READ_LANES = 16;

async function readChunked(backend: WebGpuBackendLike, buffer: GpuBuffer): Promise<ArrayBuffer> {
  const size = buffer.size;
  const snapshot = backend.device.createBuffer({ size, usage: COPY_SRC | COPY_DST });
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder!.copyBufferToBuffer(buffer, 0, snapshot, 0, size);
  const lanes = Math.min(READ_LANES, Math.ceil(size / chunkBytes));
  const staging = Array.from({ length: lanes }, () => backend.bufferManager.acquireBuffer(chunkBytes, COPY_DST | MAP_READ));
  const out = new Uint8Array(size);
  try {
    // each round: copy up to `lanes` chunks in one submit, then map them all (one event-loop wait)
    for (let base = 0; base < size; base += lanes * chunkBytes) {
      const round: { offset: number; n: number; lane: GpuBuffer }[] = [];
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      for (let j = 0; j < lanes && base + j * chunkBytes < size; j++) {
        const offset = base + j * chunkBytes;
        const n = Math.min(chunkBytes, size - offset);
        backend.commandEncoder!.copyBufferToBuffer(snapshot, offset, staging[j], 0, n);
        round.push({ offset, n, lane: staging[j] });
      }
      backend.submitQueue();
      await Promise.all(round.map((r) => r.lane.mapAsync(MAP_MODE_READ, 0, r.n)));
      for (const r of round) {
        out.set(new Uint8Array(r.lane.getMappedRange(0, r.n)), r.offset);
        r.lane.unmap();
      }
    }
  } finally {
    for (const lane of staging) backend.bufferManager.releaseBuffer(lane);
    snapshot.destroy();
  }
  return out.buffer;
}

/** The backend method reading a float32 tensor into `out` at `offset`: `(dataId, out, offset) => Promise<void>`. */
export const READ_INTO = Symbol.for('rewardkit.backend.readInto');

async function readInto(backend: WebGpuBackendLike, dataId: object, out: Float32Array, offset: number): Promise<void> {
  const data = backend.tensorMap.get(dataId);
  const count = tf.util.sizeFromShape(data.shape);
  if (data.dtype !== 'float32') throw new Error(`readInto: a ${data.dtype} tensor; only float32 reads into a Float32Array`);
  if (offset < 0 || offset + count > out.length) throw new Error(`readInto: ${count} values at ${offset} do not fit a buffer of ${out.length}`);
  if (data.values != null) {
    out.set(data.values as Float32Array, offset); // still on the host
    return;
  }
  const buffer = data.resource as GpuBuffer | undefined;
  if (!buffer) throw new Error('readInto: the tensor has neither host values nor a GPU buffer (disposed?)');
  const size = count * 4;
  const lanes = Math.min(READ_LANES, Math.max(1, Math.ceil(size / chunkBytes)));
  const laneBytes = Math.min(chunkBytes, Math.max(8, Math.ceil(size / 8) * 8));
  const staging = Array.from({ length: lanes }, () => backend.bufferManager.acquireBuffer(laneBytes, COPY_DST | MAP_READ));
  try {
    for (let base = 0; base < size; base += lanes * laneBytes) {
      const round: { at: number; n: number; lane: GpuBuffer }[] = [];
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      for (let j = 0; j < lanes && base + j * laneBytes < size; j++) {
        const at = base + j * laneBytes;
        const n = Math.min(laneBytes, size - at); // a multiple of 4, as copies need
        backend.commandEncoder!.copyBufferToBuffer(buffer, at, staging[j], 0, n);
        round.push({ at, n, lane: staging[j] });
      }
      backend.submitQueue();
      await Promise.all(round.map((r) => r.lane.mapAsync(MAP_MODE_READ, 0, Math.ceil(r.n / 8) * 8)));
      for (const r of round) {
        out.set(new Float32Array(r.lane.getMappedRange(0, Math.ceil(r.n / 8) * 8), 0, r.n / 4), offset + r.at / 4);
        r.lane.unmap();
      }
    }
  } finally {
    for (const lane of staging) backend.bufferManager.releaseBuffer(lane);
  }
}

/**
 * Wraps WebGPUBackend.prototype.uploadToGPU and getBufferData once so transfers larger than a
 * chunk go in chunks. Returns true when our wrappers are in place.
 */
export function applyWebGpuChunkedTransfer(backendClass: { prototype: unknown }): boolean {
  const proto = backendClass.prototype as WebGpuBackendPrototype;
  if (proto[OURS]) return true;
  const stockUpload = proto.uploadToGPU;
  const stockRead = proto.getBufferData;
  proto.uploadToGPU = function uploadToGPU(this: WebGpuBackendLike, dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data.resource == null && data.values != null && (data.dtype === 'float32' || data.dtype === 'int32' || data.dtype === 'bool')) {
      const size = 4 * tf.util.sizeFromShape(data.shape);
      if (size > chunkBytes) {
        uploadChunked(this, data, size);
        return;
      }
    }
    stockUpload.call(this, dataId);
  };
  proto.getBufferData = function getBufferData(this: WebGpuBackendLike, buffer: GpuBuffer) {
    if (buffer.size <= chunkBytes || tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY')) return stockRead.call(this, buffer);
    return readChunked(this, buffer);
  };
  Object.defineProperty(proto, READ_INTO, {
    value: function (this: WebGpuBackendLike, dataId: object, out: Float32Array, offset: number) {
      return readInto(this, dataId, out, offset);
    },
  });
  Object.defineProperty(proto, OURS, { value: true });
  return true;
}
