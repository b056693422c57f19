/**
 * Correct bias and prelu in batched `tf.fused.matMul` on wasm.
 *
 * tfjs-backend-wasm 4.22's '_FusedMatMul' adds the bias wrongly once the batch has more than one
 * matrix: for a [2, 2, 3] x [3, 4] product with bias [1, 2, 3, 4] every second row comes out
 * [4, 4, 4, 4] (measured; 2-D and batch-1 inputs are right). That is a silent wrong answer for
 * any dense layer applied to [batch, time, channels]. For those calls we run the fused kernel
 * without bias or activation and apply both with wasm's own Add and activation kernels, as the
 * cpu backend does; other calls keep the single fused kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  requireWasmKernel,
  runWasmKernel,
  wrapWasmKernel,
  type BackendWasm,
  type WasmKernelArgs,
} from './wasm-kernel-patch';

export const BATCHED_BIAS_SAFE = Symbol.for('rewardkit.backend.wasmFusedMatMulBatchedBias');

/** tfjs's fusable activations and the wasm kernels that compute them ('linear' needs none). */
const ACTIVATION_KERNELS: Readonly<Record<string, string>> = {
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  leakyrelu: 'LeakyRelu',
  prelu: 'Prelu',
};

function activate(x: tf.TensorInfo, args: WasmKernelArgs, activation: string): tf.TensorInfo {
  const kernelName = ACTIVATION_KERNELS[activation];
  if (kernelName === undefined) throw new Error(`_FusedMatMul (wasm): unsupported activation '${activation}'`);
  const { backend } = args;
  const attrs = args.attrs ?? {};
  if (kernelName === 'Prelu') {
    const alpha = args.inputs.preluActivationWeights as tf.TensorInfo;
    return runWasmKernel(requireWasmKernel(kernelName), { inputs: { x, alpha }, backend });
  }
  const alpha = (attrs.leakyreluAlpha as number | undefined) ?? 0.2;
  return runWasmKernel(requireWasmKernel(kernelName), { inputs: { x }, backend, attrs: { alpha } });
}

function batchedBiasSafe(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const args = rawArgs as unknown as WasmKernelArgs;
    const a = args.inputs.a as tf.TensorInfo; // [batchA, m, k] or transposed: tfjs-core reshapes to 3-D
    const b = args.inputs.b as tf.TensorInfo; // [batchB, k, n] or transposed
    const bias = args.inputs.bias as tf.TensorInfo | undefined; // [n]
    const activation = (args.attrs?.activation as string | undefined) ?? 'linear';
    const batch = Math.max(a.shape[0], b.shape[0]);
    if (batch <= 1 || (bias == null && activation !== 'prelu')) return inner(rawArgs);

    const backend: BackendWasm = args.backend;
    let out = inner({
      inputs: { a, b },
      backend,
      attrs: { ...args.attrs, activation: 'linear' },
    } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo; // [batch, m, n]
    const step = (next: (x: tf.TensorInfo) => tf.TensorInfo): void => {
      try {
        const result = next(out);
        backend.disposeData(out.dataId);
        out = result;
      } catch (err) {
        backend.disposeData(out.dataId);
        throw err;
      }
    };
    if (bias != null) step((x) => runWasmKernel(requireWasmKernel('Add'), { inputs: { a: x, b: bias }, backend }));
    if (activation !== 'linear') step((x) => activate(x, args, activation));
    return out;
  };
}

/** Wraps wasm's '_FusedMatMul' with the batched bias/prelu fix. Idempotent. */
export function applyWasmFusedMatMulBias(): void {
  wrapWasmKernel('_FusedMatMul', BATCHED_BIAS_SAFE, batchedBiasSafe);
}
