/**
 * 'Identity' on wasm without a copy: the output shares the input's buffer (reference-counted), as
 * the cpu and webgl backends do.
 *
 * Every gradient that passes dy through unchanged (add, reshape, the residual stream's branches)
 * and every tf.clone runs Identity; tfjs-backend-wasm 4.22 mallocs and copies for each: ~100
 * copies of [8192, 64] and [8192, 256] floats in one 2-layer transformer step (profile-step.ts).
 * Sharing is safe because no tfjs kernel writes into its inputs, and a variable's assign swaps
 * its buffer rather than writing into it. Strings keep wasm's own kernel.
 *
 * 'Cast' to the dtype a tensor already has is the same identity (tfjs-core's Mul gradient casts
 * its other operand to float32: 12 copies of [8192, 256] a step) and shares too.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';

export const SHARED_IDENTITY = Symbol.for('rewardkit.backend.wasmIdentityShared');

function shared(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const { inputs, backend } = rawArgs as unknown as WasmKernelArgs;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return inner(rawArgs);
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

function sameDtypeCastShared(inner: tf.KernelFunc): tf.KernelFunc {
  const share = shared(inner);
  return (rawArgs) => {
    const { inputs, attrs } = rawArgs as unknown as WasmKernelArgs;
    return (inputs.x as tf.TensorInfo).dtype === attrs?.dtype ? share(rawArgs) : inner(rawArgs);
  };
}

/** Wraps wasm's 'Identity' and 'Cast' (to the same dtype) so they share the input's buffer. Idempotent. */
export function applyWasmSharedIdentity(): void {
  wrapWasmKernel('Identity', SHARED_IDENTITY, shared);
  wrapWasmKernel('Cast', SHARED_IDENTITY, sameDtypeCastShared);
}
