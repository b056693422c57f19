/**
 * Fused bias + GELU for the wasm backend, forward and backward, under the op name
 * `@rewardkit/ops`'s biasGelu calls (packages/ops/src/bias-gelu.ts: contract and reference;
 * webgpu-bias-gelu.ts: the same kernels on the GPU, same inputs, attrs and outputs).
 *
 * Why: unfused, the MLP's gelu(x @ W + b) is an add and 7 elementwise wasm kernels for gelu_new
 * (x^3, scale, add, scale, sigmoid, multiply), each allocating and writing the [N, 4C] activation,
 * and about twice that backward. Here, for gelu_new, two passes each way over the wasm heap
 * around wasm's own vectorised Sigmoid (u = c (z + a z^3) in, z s or dz out).
 *
 * Measured (2026-11-30, [8192, 256] fwd + bwd, alternating in one process): JavaScript passes 103 ms min,
 * unfused composition 66 ms (a pure-JS Math.exp version: 215 ms). A JavaScript pass costs ~8 ns
 * an element on this machine, an XNNPACK elementwise op 1-2 ns, so fusing in JavaScript loses.
 * A win needed the fusion in wasm SIMD: see below (applyWasmFixes registers this kernel since
 * 2026-12-01).
 *
 * With z = x + b (b broadcast over rows):
 *   gelu_new: y = z s, s = sigmoid(c (z + a z^3)), c = 2 sqrt(2/pi), a = 0.044715
 *             dy/dz = s + z s (1 - s) c (1 + 3 a z^2)
 *   gelu:     y = 0.5 z (1 + erf(z / sqrt 2)),  dy/dz = 0.5 (1 + erf(z / sqrt 2)) + z exp(-z^2 / 2) / sqrt(2 pi)
 *
 * 2026-12-01: for gelu_new with F % 4 = 0 the two passes around Sigmoid are SIMD kernels in the
 * heap (wasm-simd-kernels.ts; float32 arithmetic, within a few ulps of the reference). With the
 * SIMD layer norm: a transformer step 1.15x faster wall, 1.17x less CPU, paired (ab-kernels.ts
 * --pair=unfusedNorm,after). Everything else (erf 'gelu', other widths) the op runs unfused: the
 * kernel's FUSED_KERNEL_COVERS predicate declines it (called directly, the kernel computes it in
 * wasm's own kernels, wasm-fused-composition.ts). The JavaScript loops these calls had were ~2x
 * slower than not fusing (erf gelu [8192, 256] fwd + bwd, min of 20: 159-185 vs 64-76 ms; now
 * the same path, 81-99 vs 76-102 ms, 2026-12-01).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expectWasmInput, requireWasmKernel, runWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { BIAS_GELU_KERNEL, BIAS_GELU_GRAD_KERNEL, FUSED_KERNEL_COVERS, registerFusedGradients } from './fused-kernels';
import { heapOffset } from './wasm-heap-views';
import { simdKernels, type SimdKernels } from './wasm-simd-kernels';
import { biasGeluComposed, biasGeluGradComposed, type GeluActivation } from './wasm-fused-composition';


function check(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined, withDy: boolean): { x: tf.TensorInfo; bias: tf.TensorInfo; N: number; F: number; activation: GeluActivation } {
  const activation = attrs?.activation as unknown;
  if (activation !== 'gelu' && activation !== 'gelu_new') throw new Error(`${kernel} (wasm): activation ${String(activation)} is not gelu or gelu_new`);
  const { x, bias, dy } = inputs;
  if (x === undefined || x.shape.length !== 2 || x.dtype !== 'float32') throw new Error(`${kernel} (wasm): x must be float32 [N, F]; got ${x ? `${x.dtype} [${x.shape}]` : 'nothing'}`);
  const [N, F] = x.shape as [number, number];
  expectWasmInput(kernel, 'bias', bias, [F]);
  if (withDy) expectWasmInput(kernel, 'dy', dy, [N, F]);
  return { x, bias, N, F, activation };
}

/** The SIMD kernels when they cover this call: gelu_new with F % 4 = 0 (else the composition). */
function simdFor(wasm: BackendWasm, activation: GeluActivation, F: number): SimdKernels | undefined {
  return activation === 'gelu_new' && F % 4 === 0 ? simdKernels(wasm) : undefined;
}

/**
 * gelu_new's shared SIMD setup: out = u = c (z + a z^3), s = wasm's own (XNNPACK, vectorised)
 * Sigmoid of it, then `finish(at, s)` writes the result into out; s is released after.
 */
function aroundSigmoid(wasm: BackendWasm, simd: SimdKernels, x: tf.TensorInfo, bias: tf.TensorInfo, out: tf.TensorInfo, N: number, F: number, finish: (at: (t: tf.TensorInfo) => number, s: tf.TensorInfo) => void): tf.TensorInfo {
  // Offsets read after every malloc (makeOutput, Sigmoid), never held across one.
  const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
  simd.geluNewArgument(at(x), at(bias), at(out), N, F);
  const s = runWasmKernel(requireWasmKernel('Sigmoid'), { inputs: { x: out }, backend: wasm });
  finish(at, s);
  wasm.disposeData(s.dataId);
  return out;
}

function biasGeluForward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, bias, N, F, activation } = check(BIAS_GELU_KERNEL, inputs, attrs, false);
  const wasm: BackendWasm = backend;
  const simd = simdFor(wasm, activation, F);
  if (simd === undefined) return biasGeluComposed(wasm, x, bias, activation);
  const out = wasm.makeOutput([N, F], 'float32');
  return aroundSigmoid(wasm, simd, x, bias, out, N, F, (at, s) => simd.geluNewFromSigmoid(at(x), at(bias), at(s), at(out), N, F));
}

function biasGeluBackward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, bias, N, F, activation } = check(BIAS_GELU_GRAD_KERNEL, inputs, attrs, true);
  const wasm: BackendWasm = backend;
  const dy = inputs.dy as tf.TensorInfo;
  const simd = simdFor(wasm, activation, F);
  if (simd === undefined) return biasGeluGradComposed(wasm, x, bias, dy, activation);
  const out = wasm.makeOutput([N, F], 'float32');
  return aroundSigmoid(wasm, simd, x, bias, out, N, F, (at, s) => simd.geluNewGradFromSigmoid(at(x), at(bias), at(s), at(dy), at(out), N, F));
}

/**
 * The calls the SIMD kernels run (the op runs its reference for the rest: the composition here
 * recomputes erf backward, where autodiff of the reference reuses its forward, 1.3-1.5x slower).
 */
function covers(shapes: Readonly<Record<string, readonly number[]>>, attrs: tf.NamedAttrMap): boolean {
  const x = shapes.x;
  return x !== undefined && x.length === 2 && simdFor(tf.backend() as unknown as BackendWasm, attrs.activation as GeluActivation, x[1]!) !== undefined;
}
Object.defineProperty(biasGeluForward, FUSED_KERNEL_COVERS, { value: covers });

/** Registers the kernels for wasm and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWasmBiasGelu(): string {
  if (tf.getKernel(BIAS_GELU_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: BIAS_GELU_KERNEL, backendName: 'wasm', kernelFunc: biasGeluForward });
    tf.registerKernel({ kernelName: BIAS_GELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: biasGeluBackward });
  }
  registerFusedGradients();
  return 'fused bias + GELU';
}
