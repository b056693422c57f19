/**
 * Fused bias + GELU for the wasm backend, forward and backward, under the op name
 * `@rewardkit/ops`'s biasGelu calls (packages/ops/src/bias-gelu.ts: contract and reference;
 * webgpu-bias-gelu.ts: the same kernels on the GPU, same inputs, attrs and outputs).
 *
 * Why: unfused, the MLP's gelu(x @ W + b) is an add and 7 elementwise wasm kernels for gelu_new
 * (x^3, scale, add, scale, sigmoid, multiply), each allocating and writing the [N, 4C] activation,
 * and about twice that backward. Here, for gelu_new, two JavaScript passes each way over views of
 * the wasm heap around wasm's own vectorised Sigmoid (u = c (z + a z^3) in, z s or dz out); erf
 * gelu is one pure JavaScript pass.
 *
 * Measured (2026-11-30, [8192, 256] fwd + bwd, alternating in one process): fused 103 ms min,
 * unfused composition 66 ms (a pure-JS Math.exp version: 215 ms). A JavaScript pass costs ~8 ns
 * an element on this machine, an XNNPACK elementwise op 1-2 ns, so fusing in JavaScript loses.
 * A win needed the fusion in wasm SIMD: see below (applyWasmFixes registers this kernel since
 * 2026-12-01).
 *
 * With z = x + b (b broadcast over rows):
 *   gelu_new: y = z s, s = sigmoid(c (z + a z^3)), c = 2 sqrt(2/pi), a = 0.044715
 *             dy/dz = s + z s (1 - s) c (1 + 3 a z^2)
 *   gelu:     y = 0.5 z (1 + erf(z / sqrt 2)),  dy/dz = 0.5 (1 + erf(z / sqrt 2)) + z exp(-z^2 / 2) / sqrt(2 pi)
 * erf is tfjs's own approximation (Abramowitz and Stegun 7.1.26, as the cpu kernel computes it).
 * z is rounded to float32 first, as the reference's add stores it.
 *
 * 2026-12-01: for gelu_new with F % 4 = 0 the two passes around Sigmoid are SIMD kernels in the
 * heap (wasm-simd-kernels.ts; float32 arithmetic, so within a few ulps of the JavaScript passes,
 * which round once from float64). With the SIMD layer norm: a transformer step 1.15x faster wall,
 * 1.17x less CPU, paired (ab-kernels.ts --pair=unfusedNorm,after).
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireWasmKernel, runWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { BIAS_GELU_KERNEL, BIAS_GELU_GRAD_KERNEL, registerFusedGradients } from './fused-kernels';
import { heapOffset } from './wasm-heap-views';
import { simdKernels } from './wasm-simd-kernels';

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

// One monomorphic loop per activation and direction (no per-element branch): V8 keeps them tight.
/** u = c (z + a z^3), z = x + b: the argument of gelu_new's sigmoid, written into `us`. */
function geluNewArgument(xs: Float32Array, bs: Float32Array, us: Float32Array, N: number, F: number): void {
  for (let r = 0, o = 0; r < N; r++, o += F) {
    for (let c = 0; c < F; c++) {
      const z = Math.fround(xs[o + c]! + bs[c]!);
      us[o + c] = C_TANH * (z + A * z * z * z);
    }
  }
}

/** In place: ys holds sigmoid(u) and becomes z sigmoid(u). */
function geluNewFromSigmoid(xs: Float32Array, bs: Float32Array, ss: Float32Array, ys: Float32Array, N: number, F: number): void {
  for (let r = 0, o = 0; r < N; r++, o += F) {
    for (let c = 0; c < F; c++) ys[o + c] = Math.fround(xs[o + c]! + bs[c]!) * ss[o + c]!;
  }
}

function geluErfForward(xs: Float32Array, bs: Float32Array, ys: Float32Array, N: number, F: number): void {
  for (let r = 0, o = 0; r < N; r++, o += F) {
    for (let c = 0; c < F; c++) {
      const z = Math.fround(xs[o + c]! + bs[c]!);
      ys[o + c] = 0.5 * z * (1 + erf(z * Math.SQRT1_2));
    }
  }
}

/** dz = dy (s + z s (1 - s) c (1 + 3 a z^2)) from s = sigmoid(u). */
function geluNewGradFromSigmoid(xs: Float32Array, bs: Float32Array, ss: Float32Array, dys: Float32Array, dzs: Float32Array, N: number, F: number): void {
  for (let r = 0, o = 0; r < N; r++, o += F) {
    for (let c = 0; c < F; c++) {
      const z = Math.fround(xs[o + c]! + bs[c]!);
      const sg = ss[o + c]!;
      dzs[o + c] = dys[o + c]! * (sg + z * sg * (1 - sg) * C_TANH * (1 + 3 * A * z * z));
    }
  }
}

function geluErfBackward(xs: Float32Array, bs: Float32Array, dys: Float32Array, dzs: Float32Array, N: number, F: number): void {
  for (let r = 0, o = 0; r < N; r++, o += F) {
    for (let c = 0; c < F; c++) {
      const z = Math.fround(xs[o + c]! + bs[c]!);
      dzs[o + c] = dys[o + c]! * (0.5 * (1 + erf(z * Math.SQRT1_2)) + z * Math.exp(-0.5 * z * z) * INV_SQRT_2PI);
    }
  }
}

/** wasm's own (XNNPACK, vectorised) Sigmoid: Math.exp in a JavaScript loop made this kernel 4x slower than unfused. */
function sigmoid(wasm: BackendWasm, u: tf.TensorInfo): tf.TensorInfo {
  return runWasmKernel(requireWasmKernel('Sigmoid'), { inputs: { x: u }, backend: wasm });
}

function biasGeluForward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, bias, N, F, activation } = check(BIAS_GELU_KERNEL, inputs, attrs, false);
  const wasm: BackendWasm = backend;
  const out = wasm.makeOutput([N, F], 'float32');
  // Views only after makeOutput: its malloc may grow the heap and detach older views.
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const bs = wasm.typedArrayFromHeap(bias) as Float32Array;
  if (activation === 'gelu') {
    geluErfForward(xs, bs, wasm.typedArrayFromHeap(out) as Float32Array, N, F);
    return out;
  }
  const simd = F % 4 === 0 ? simdKernels(wasm) : undefined;
  if (simd) {
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    simd.geluNewArgument(at(x), at(bias), at(out), N, F);
    const s = sigmoid(wasm, out);
    simd.geluNewFromSigmoid(at(x), at(bias), at(s), at(out), N, F);
    wasm.disposeData(s.dataId);
    return out;
  }
  geluNewArgument(xs, bs, wasm.typedArrayFromHeap(out) as Float32Array, N, F);
  const sig = sigmoid(wasm, out);
  const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array; // re-made: Sigmoid's malloc may grow the heap
  geluNewFromSigmoid(view(x), view(bias), view(sig), view(out), N, F);
  wasm.disposeData(sig.dataId);
  return out;
}

function biasGeluBackward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, bias, N, F, activation } = check(BIAS_GELU_GRAD_KERNEL, inputs, attrs, true);
  const wasm: BackendWasm = backend;
  const out = wasm.makeOutput([N, F], 'float32');
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const bs = wasm.typedArrayFromHeap(bias) as Float32Array;
  const dys = wasm.typedArrayFromHeap(inputs.dy as tf.TensorInfo) as Float32Array;
  const dzs = wasm.typedArrayFromHeap(out) as Float32Array;
  if (activation === 'gelu') {
    geluErfBackward(xs, bs, dys, dzs, N, F);
    return out;
  }
  const simd = F % 4 === 0 ? simdKernels(wasm) : undefined;
  if (simd) {
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    simd.geluNewArgument(at(x), at(bias), at(out), N, F);
    const s = sigmoid(wasm, out);
    simd.geluNewGradFromSigmoid(at(x), at(bias), at(s), at(inputs.dy as tf.TensorInfo), at(out), N, F);
    wasm.disposeData(s.dataId);
    return out;
  }
  geluNewArgument(xs, bs, dzs, N, F);
  const sig = sigmoid(wasm, out);
  const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  geluNewGradFromSigmoid(view(x), view(bias), view(sig), view(inputs.dy as tf.TensorInfo), view(out), N, F);
  wasm.disposeData(sig.dataId);
  return out;
}

/** Registers the kernels for wasm and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWasmBiasGelu(): string {
  if (tf.getKernel(BIAS_GELU_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: BIAS_GELU_KERNEL, backendName: 'wasm', kernelFunc: biasGeluForward });
    tf.registerKernel({ kernelName: BIAS_GELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: biasGeluBackward });
  }
  registerFusedGradients();
  return 'fused bias + GELU';
}
