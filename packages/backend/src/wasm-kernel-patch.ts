/**
 * Helpers for patching wasm kernels: the slice of tfjs's kernel-plugin API our kernels use, typed
 * once (tfjs-core types a kernel's backend as `{}`; we need `BackendWasm`'s heap helpers), and
 * the one way we replace a registered kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

/** What tfjs-core passes to a kernel function, with the backend narrowed to wasm. */
export interface WasmKernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: BackendWasm;
  readonly attrs?: tf.NamedAttrMap;
}

/**
 * Looks up a kernel that tfjs-backend-wasm registers when it is imported. A miss means the
 * package changed under us: fail loudly instead of training on a half-patched backend.
 */
export function requireWasmKernel(kernelName: string): tf.KernelConfig {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) {
    throw new Error(`@tensorflow/tfjs-backend-wasm registers no '${kernelName}' kernel (expected in 4.22)`);
  }
  return config;
}

/** Throws unless input `name` of `kernel` is a `dtype` tensor of exactly `shape`: our kernels' input check. */
export function expectWasmInput(kernel: string, name: string, t: tf.TensorInfo | undefined, shape: readonly number[], dtype: tf.DataType = 'float32'): asserts t is tf.TensorInfo {
  if (t === undefined || t.dtype !== dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${kernel} (wasm): input ${name} must be ${dtype} [${shape}]; got ${t ? `${t.dtype} [${t.shape}]` : 'nothing'}`);
  }
}

/** Calls another wasm kernel from inside ours (tfjs kernels do the same internally). */
export function runWasmKernel(config: tf.KernelConfig, args: WasmKernelArgs): tf.TensorInfo {
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/**
 * Replaces the registered wasm kernel `kernelName` with `wrap(current)`, once per `mark`: a
 * second call (or a second copy of the caller's module, hence Symbol.for marks) is a no-op.
 * Marks of the wrapped function carry over, so independent patches can stack on one kernel.
 * The setupFunc stays: tfjs reruns it on every setBackend('wasm'), and the wrapped original
 * still needs the C++ binding it creates.
 */
export function wrapWasmKernel(kernelName: string, mark: symbol, wrap: (inner: tf.KernelFunc) => tf.KernelFunc): void {
  const current = requireWasmKernel(kernelName);
  if (mark in current.kernelFunc) return;
  const wrapped = wrap(current.kernelFunc);
  for (const inherited of Object.getOwnPropertySymbols(current.kernelFunc)) {
    Object.defineProperty(wrapped, inherited, { value: true });
  }
  Object.defineProperty(wrapped, mark, { value: true });
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...current, kernelFunc: wrapped });
}
