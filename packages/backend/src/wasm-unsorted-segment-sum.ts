/**
 * 'UnsortedSegmentSum' for wasm, which tfjs-backend-wasm 4.22 lacks.
 *
 * The gradient of `tf.gather` (every embedding lookup) scatters the output gradient back into the
 * table with unsortedSegmentSum, so without this kernel no embedding trains on wasm. It is a
 * single pass in JavaScript over views of the wasm heap: memory-bound and small next to the
 * matmuls of a step.
 *
 * Semantics follow TensorFlow and the cpu kernel: for segmentIds of shape S (a prefix of x's
 * shape), out[s, ...] = sum of x[i, ...] over all flat positions i of S with segmentIds[i] == s;
 * out has shape [numSegments, ...x.shape.slice(S.length)]; ids outside [0, numSegments) are
 * dropped; segments nobody maps to are zero. float32 sums accumulate in float64 (rounded once), so
 * a bag of the same words pools to the same vector in any order: the word-order spec's bag model
 * ties exactly, whatever the training before it did to the weights' low bits.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm, WasmKernelArgs } from './wasm-kernel-patch';

/** Marks our kernel so a second copy of this module recognizes it. */
const OURS = Symbol.for('rewardkit.backend.wasmUnsortedSegmentSum');

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function unsortedSegmentSum(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const x = inputs.x as tf.TensorInfo;
  const segmentIds = inputs.segmentIds as tf.TensorInfo;
  const numSegments = attrs?.numSegments as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): x must be float32 or int32, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): segmentIds must be int32, got ${segmentIds.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  if (!sameShape(x.shape.slice(0, idsRank), segmentIds.shape)) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const rest = x.shape.slice(idsRank);
  const inner = tf.util.sizeFromShape(rest);
  const rows = tf.util.sizeFromShape(segmentIds.shape);

  const wasm: BackendWasm = backend;
  const out = wasm.makeOutput([numSegments, ...rest], x.dtype);
  // Views only after makeOutput: its malloc may grow the wasm memory, which detaches every
  // typed array made over the old buffer.
  const xs = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  const result = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  // float32 sums accumulate in float64 and round once: a segment's sum then does not depend on
  // the order its rows come in (a bag of words scores the same words in any order the same).
  const acc = x.dtype === 'float32' ? new Float64Array(result.length) : result.fill(0); // malloc does not zero
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) acc[dst + j] += xs[src + j];
  }
  if (acc !== result) result.set(acc);
  return out;
}

Object.defineProperty(unsortedSegmentSum, OURS, { value: true });

export const wasmUnsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};

/**
 * Registers the kernel unless wasm already has one (ours from an earlier call, or a future
 * tfjs-backend-wasm's own). Returns true when a kernel of ours is (now) in place.
 */
export function applyWasmUnsortedSegmentSum(): boolean {
  const existing = tf.getKernel('UnsortedSegmentSum', 'wasm');
  if (existing === undefined) {
    tf.registerKernel(wasmUnsortedSegmentSumConfig);
    return true;
  }
  return OURS in existing.kernelFunc;
}
