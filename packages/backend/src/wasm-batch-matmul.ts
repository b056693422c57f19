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
 *
 * A^T B runs without a transposed copy where wasm-transposed-a-matmul.ts applies (every weight
 * gradient of the transformer). Elsewhere, A^T B (A [K, M], B [K, N]) with M > N is computed as (B^T A)^T
 * instead: the operand transposed first is then the smaller one, and XNNPACK runs [N, K] x [K, M]
 * faster than [M, K] x [K, N] when M > N (its B operand is packed in columns). Measured on the
 * MLP's [8192, 256]^T [8192, 64]: 15.2 -> 10.9 ms (2026-12-01, before the SIMD transpose). The
 * sums inside each output element are the same products in another order of XNNPACK's blocks.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  requireWasmKernel,
  runWasmKernel,
  wrapWasmKernel,
  type BackendWasm,
  type WasmKernelArgs,
} from './wasm-kernel-patch';
import { transposedAProduct } from './wasm-transposed-a-matmul';

/** Marks the wrapper so applying the fix twice does not wrap it twice. */
export const TRANSPOSE_FIRST = Symbol.for('rewardkit.backend.wasmTransposeFirst');

/** Swaps the last two axes; leading (batch) axes stay, so [b, m, k] -> [b, k, m]. */
function lastTwoSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Off: A^T B always transposes A (for A/B timings in one process only). */
export const weightGradientOrder = { swapWhenCheaper: true };

/** A^T B with A [.., K, M], B [.., K, N], M > N: swapping the order transposes less and multiplies faster. */
function smallerOperandIsB(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  return weightGradientOrder.swapWhenCheaper && a.shape.length === b.shape.length && a.shape[a.shape.length - 1] > b.shape[b.shape.length - 1];
}

/** No bias, activation or prelu weights (a _FusedMatMul's epilogue applies to C, not C^T). */
function isPlainProduct(args: WasmKernelArgs): boolean {
  const activation = args.attrs?.activation;
  return Object.entries(args.inputs).every(([k, v]) => k === 'a' || k === 'b' || v == null) && (activation == null || activation === 'linear');
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
      const a = args.inputs.a as tf.TensorInfo;
      const b = args.inputs.b as tf.TensorInfo;
      if (transposeA && !transposeB && isPlainProduct(args)) {
        const direct = transposedAProduct(backend, a, b);
        if (direct) return direct;
        if (smallerOperandIsB(a, b)) {
          // C = A^T B = (B^T A)^T: transpose the smaller operand, then the [N, M] product
          const ct = inner({ inputs: { a: materialize(b), b: a }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
          intermediates.push(ct);
          return runWasmKernel(transpose, { inputs: { x: ct }, backend, attrs: { perm: lastTwoSwapped(ct.shape.length) } });
        }
      }
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
