/**
 * 'GatherV2' along axis 0 on wasm as one row copy per index (every embedding lookup).
 *
 * tfjs-backend-wasm 4.22 gathered 8,192 rows of GPT-2's [50257, 64] token table in 21 ms on a
 * quiet machine (2.6 us a row of 256 bytes), 1% of a transformer step before the matmul fixes and
 * several percent after them. Copying each row with TypedArray.set over views of the heap is a
 * memcpy per index. Other axes and batchDims keep wasm's kernel. Out-of-range indices throw, as
 * the cpu backend does (wasm's own kernel reads whatever lies there).
 */
import * as tf from '@tensorflow/tfjs-core';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';

export const GATHER_ROWS = Symbol.for('rewardkit.backend.wasmGatherRows');

function rowsFirst(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const indices = inputs.indices as tf.TensorInfo;
    const axis = tf.util.parseAxisParam((attrs?.axis as number | undefined) ?? 0, x.shape)[0];
    const batchDims = (attrs?.batchDims as number | undefined) ?? 0;
    if (axis !== 0 || batchDims !== 0 || indices.dtype !== 'int32' || (x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length < 1) {
      return inner(rawArgs);
    }
    const wasm: BackendWasm = backend;
    const rows = x.shape[0];
    const width = tf.util.sizeFromShape(x.shape.slice(1));
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Views only after makeOutput: its malloc may grow the heap and detach older views.
    const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
    const ids = wasm.typedArrayFromHeap(indices) as Int32Array;
    const dst = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r];
      if (!(id >= 0 && id < rows)) {
        wasm.disposeData(out.dataId);
        throw new Error(`GatherV2 (wasm): index ${id} at position ${r} is not in [0, ${rows - 1}]`);
      }
      dst.set(src.subarray(id * width, (id + 1) * width), r * width);
    }
    return out;
  };
}

/** Wraps wasm's 'GatherV2' with the row-copy path for axis 0. Idempotent. */
export function applyWasmGatherRows(): void {
  wrapWasmKernel('GatherV2', GATHER_ROWS, rowsFirst);
}
