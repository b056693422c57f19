/**
 * Fast transposed matmul on wasm.
 *
 * tfjs-backend-wasm 4.22 runs `matMul` with `transposeA` or `transposeB` 10-20x slower than
 * without (measured 0.8-2.6 against 12-30 GFLOP/s at 512-1024), and every matmul gradient uses
 * those flags (dA = dC B^T, dB = A^T dC). Transposing the operand first with wasm's own Transpose
 * kernel costs one pass over it and lets the fast path run. We wrap the registered kernels rather
 * than copy them, so broadcasting and shape checks stay wasm's own.
 *
 * Covers 'BatchMatMul' (tf.matMul and all gradients) and '_FusedMatMul' (tf.fused.matMul, which
 * has the same slow path).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  requireWasmKernel,
  runWasmKernel,
  wrapWasmKernel,
  type BackendWasm,
  type WasmKernelArgs,
} from './wasm-kernel-patch';

/** Marks the wrapper so applying the fix twice does not wrap it twice. */
export const TRANSPOSE_FIRST = Symbol.for('rewardkit.backend.wasmTransposeFirst');

/** Swaps the last two axes; leading (batch) axes stay, so [b, m, k] -> [b, k, m]. */
function lastTwoSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

function transposeFirst(inner: tf.KernelFunc, transpose: tf.KernelConfig): tf.KernelFunc {
  return (rawArgs) => {
    const args = rawArgs as unknown as WasmKernelArgs;
    const attrs = args.attrs ?? {};
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    if (!transposeA && !transposeB) return inner(rawArgs);

    const backend: BackendWasm = args.backend;
    // Materialized operands live only for this call; the engine never sees them as tensors.
    const intermediates: tf.TensorInfo[] = [];
    const materialize = (x: tf.TensorInfo): tf.TensorInfo => {
      const t = runWasmKernel(transpose, { inputs: { x }, backend, attrs: { perm: lastTwoSwapped(x.shape.length) } });
      intermediates.push(t);
      return t;
    };
    try {
      const inputs = { ...args.inputs };
      if (transposeA) inputs.a = materialize(args.inputs.a as tf.TensorInfo);
      if (transposeB) inputs.b = materialize(args.inputs.b as tf.TensorInfo);
      return inner({
        inputs,
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      } as unknown as Parameters<tf.KernelFunc>[0]);
    } finally {
      for (const t of intermediates) backend.disposeData(t.dataId);
    }
  };
}

/** Kernels whose transposed path is slow on wasm; both take inputs {a, b} and attrs {transposeA, transposeB}. */
export const WASM_MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/**
 * Wraps the wasm matmul kernels with the transpose-first path. Idempotent. Requires
 * @tensorflow/tfjs-backend-wasm to be imported (it registers the kernels we wrap).
 * Returns the names of the kernels wrapped.
 */
export function applyWasmTransposeFirstMatMul(): string[] {
  const transpose = requireWasmKernel('Transpose');
  for (const name of WASM_MATMUL_KERNELS) {
    wrapWasmKernel(name, TRANSPOSE_FIRST, (inner) => transposeFirst(inner, transpose));
  }
  return [...WASM_MATMUL_KERNELS];
}
