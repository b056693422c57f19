/**
 * Fused bias + GELU for the wasm backend, forward and backward, under the op name
 * `@rewardkit/ops`'s biasGelu calls (packages/ops/src/bias-gelu.ts: contract and reference;
 * webgpu-bias-gelu.ts: the same kernels on the GPU, same inputs, attrs and outputs).
 *
 * Why: unfused, the MLP's gelu(x @ W + b) is an add and 7 elementwise wasm kernels for gelu_new
 * (x^3, scale, add, scale, sigmoid, multiply), each allocating and writing the [N, 4C] activation,
 * and about twice that backward. Here one JavaScript pass each way over views of the wasm heap.
 *
 * With z = x + b (b broadcast over rows):
 *   gelu_new: y = z s, s = sigmoid(c (z + a z^3)), c = 2 sqrt(2/pi), a = 0.044715
 *             dy/dz = s + z s (1 - s) c (1 + 3 a z^2)
 *   gelu:     y = 0.5 z (1 + erf(z / sqrt 2)),  dy/dz = 0.5 (1 + erf(z / sqrt 2)) + z exp(-z^2 / 2) / sqrt(2 pi)
 * erf is tfjs's own approximation (Abramowitz and Stegun 7.1.26, as the cpu kernel computes it).
 * z is rounded to float32 first, as the reference's add stores it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm, WasmKernelArgs } from './wasm-kernel-patch';

/** Must equal BIAS_GELU_KERNEL in packages/ops/src/fused-kernel-names.ts. */
export const WASM_BIAS_GELU_KERNEL = 'RewardkitBiasGelu';
/** The backward kernel (the webgpu one's name): inputs x, bias, dy; output dz (= dx); dbias is its column sum. */
export const WASM_BIAS_GELU_GRAD_KERNEL = 'RewardkitBiasGeluGrad';

const C_TANH = 2 * Math.sqrt(2 / Math.PI);
const A = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function erf(v: number): number {
  const p = 0.3275911;
  const a1 = 0.254829592;
  const a2 = -0.284496736;
  const a3 = 1.421413741;
  const a4 = -1.453152027;
  const a5 = 1.061405429;
  const s = Math.sign(v);
  const av = Math.abs(v);
  const t = 1 / (1 + p * av);
  return s * (1 - ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * Math.exp(-av * av));
}

type Activation = 'gelu_new' | 'gelu';

function check(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined, withDy: boolean): { x: tf.TensorInfo; bias: tf.TensorInfo; N: number; F: number; activation: Activation } {
  const activation = attrs?.activation as unknown;
  if (activation !== 'gelu' && activation !== 'gelu_new') throw new Error(`${kernel} (wasm): activation ${String(activation)} is not gelu or gelu_new`);
  const { x, bias, dy } = inputs;
  if (x === undefined || x.shape.length !== 2 || x.dtype !== 'float32') throw new Error(`${kernel} (wasm): x must be float32 [N, F]; got ${x ? `${x.dtype} [${x.shape}]` : 'nothing'}`);
  const [N, F] = x.shape as [number, number];
  const expect = (name: string, t: tf.TensorInfo | undefined, shape: readonly number[]) => {
    if (t === undefined || t.dtype !== 'float32' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${kernel} (wasm): input ${name} must be float32 [${shape}]; got ${t ? `${t.dtype} [${t.shape}]` : 'nothing'}`);
    }
  };
  expect('bias', bias, [F]);
  if (withDy) expect('dy', dy, [N, F]);
  return { x, bias: bias!, N, F, activation };
}

function biasGeluForward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, bias, N, F, activation } = check(WASM_BIAS_GELU_KERNEL, inputs, attrs, false);
  const wasm: BackendWasm = backend;
  const out = wasm.makeOutput([N, F], 'float32');
  // Views only after makeOutput: its malloc may grow the heap and detach older views.
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const bs = wasm.typedArrayFromHeap(bias) as Float32Array;
  const ys = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let r = 0; r < N; r++) {
    const o = r * F;
    for (let c = 0; c < F; c++) {
      const z = Math.fround(xs[o + c] + bs[c]);
      ys[o + c] = activation === 'gelu_new' ? z / (1 + Math.exp(-C_TANH * (z + A * z * z * z))) : 0.5 * z * (1 + erf(z * Math.SQRT1_2));
    }
  }
  return out;
}

function biasGeluBackward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, bias, N, F, activation } = check(WASM_BIAS_GELU_GRAD_KERNEL, inputs, attrs, true);
  const wasm: BackendWasm = backend;
  const out = wasm.makeOutput([N, F], 'float32');
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const bs = wasm.typedArrayFromHeap(bias) as Float32Array;
  const dys = wasm.typedArrayFromHeap(inputs.dy as tf.TensorInfo) as Float32Array;
  const dzs = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let r = 0; r < N; r++) {
    const o = r * F;
    for (let c = 0; c < F; c++) {
      const z = Math.fround(xs[o + c] + bs[c]);
      let g: number;
      if (activation === 'gelu_new') {
        const s = 1 / (1 + Math.exp(-C_TANH * (z + A * z * z * z)));
        g = s + z * s * (1 - s) * C_TANH * (1 + 3 * A * z * z);
      } else {
        g = 0.5 * (1 + erf(z * Math.SQRT1_2)) + z * Math.exp(-0.5 * z * z) * INV_SQRT_2PI;
      }
      dzs[o + c] = dys[o + c] * g;
    }
  }
  return out;
}

/**
 * Registers both kernels for wasm and the forward's gradient (the same gradient webgpu-bias-gelu.ts
 * registers: whichever runs first installs it, and it calls the grad kernel of the active backend);
 * idempotent. Returns the log label.
 */
export function registerWasmBiasGelu(): string {
  if (tf.getKernel(WASM_BIAS_GELU_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: WASM_BIAS_GELU_KERNEL, backendName: 'wasm', kernelFunc: biasGeluForward });
    tf.registerKernel({ kernelName: WASM_BIAS_GELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: biasGeluBackward });
  }
  if (tf.getGradient(WASM_BIAS_GELU_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: WASM_BIAS_GELU_KERNEL,
      inputsToSave: ['x', 'bias'],
      gradFunc: (dy, saved, attrs) => {
        const [x, bias] = saved;
        const dz = tf.engine().runKernel(WASM_BIAS_GELU_GRAD_KERNEL, { x, bias, dy: dy as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        return { x: () => dz, bias: () => tf.sum(dz, 0) };
      },
    });
  }
  return 'fused bias + GELU';
}
