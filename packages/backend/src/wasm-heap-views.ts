/**
 * Zero-copy views into the wasm heap, and wasm's fast 2-D matmul called on them.
 *
 * tfjs-backend-wasm 4.22 multiplies one [m, k] x [k, n] pair through XNNPACK (16-30 GFLOP/s
 * here) but runs anything with a batch dimension through a naive loop (1.4 GFLOP/s measured on
 * attention's [128, 128, 32] x [128, 32, 128]); slicing a batch out first is slower still (wasm's
 * Slice: 1.6 s to unstack 128 matrices). A tensor on wasm is an id the C++ side maps to a heap
 * address, so a matrix inside a batch can be handed to the fast path as a registered view of the
 * address where it already lies: no copy, no malloc.
 *
 * Safety: a view gets a fresh id each time (XNNPACK caches its packed operators by the id of the
 * B operand, so an id must never name other data later), and is released by unregistering the
 * id only: the memory belongs to the tensor it views and is never freed here.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from './wasm-kernel-patch';

/** A registered view: what the C++ kernels are called with. */
export interface HeapView {
  readonly id: number;
  readonly info: tf.TensorInfo;
}

/** Registers [shape] float32 values at `byteOffset` of the heap as a tensor id the engine never sees. */
export function openView(backend: BackendWasm, byteOffset: number, shape: number[]): HeapView {
  const info = backend.makeOutput(shape, 'float32', byteOffset);
  return { id: backend.dataIdMap.get(info.dataId)!.id, info };
}

/** Unregisters a view without freeing the memory under it (its owner does that). */
export function closeView(backend: BackendWasm, view: HeapView): void {
  const wasm = backend.wasm as unknown as { tfjs: { disposeData(id: number): void } };
  wasm.tfjs.disposeData(view.id);
  backend.dataIdMap.delete(view.info.dataId);
}

/** Heap byte address of a tensor's data. */
export function heapOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

type CMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, tA: number, tB: number, outId: number) => void;
const cMatMuls = new WeakMap<object, CMatMul>();

/**
 * out[m, n] = a[m, k] x b[k, n] by wasm's own C++ BatchMatMul with a batch of one (its XNNPACK
 * path). All three are views (or tensors) already registered with the backend.
 */
export function matMul2d(backend: BackendWasm, a: HeapView, b: HeapView, out: HeapView, m: number, k: number, n: number): void {
  let fn = cMatMuls.get(backend.wasm);
  if (fn === undefined) {
    const module = backend.wasm as unknown as { cwrap(name: string, ret: null, args: string[]): CMatMul };
    fn = module.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    cMatMuls.set(backend.wasm, fn);
  }
  const shapeBytes = (s: number[]) => new Uint8Array(new Int32Array(s).buffer);
  fn(a.id, shapeBytes([1, m, k]), 3, b.id, shapeBytes([1, k, n]), 3, 0, 0, out.id);
}
