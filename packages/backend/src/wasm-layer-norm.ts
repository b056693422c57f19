/**
 * Fused layer norm over the last axis for the wasm backend, forward and backward, under the op
 * name `@rewardkit/ops`'s layerNorm calls (packages/ops/src/layer-norm.ts: contract and reference;
 * webgpu-layer-norm.ts: the same kernels on the GPU, same inputs, attrs and outputs).
 *
 * Why: unfused, a norm is moments (mean, subtract, square, mean), subtract, add eps, rsqrt,
 * multiply, multiply by gamma, add beta: 9 wasm kernels forward and about 20 backward, each
 * allocating and writing a full [N, C] tensor. Here one pass over the wasm heap each way
 * (memory-bound: the row is read from cache a second time, written once).
 *
 * y = (x - mean) rstd gamma + beta, rstd = 1 / sqrt(var + eps), var = mean((x - mean)^2); with
 * xhat = (x - mean) rstd and g = dy gamma:
 *   dx = rstd (g - mean(g) - xhat mean(g xhat));  dgamma = sum_rows dy xhat;  dbeta = sum_rows dy
 *
 * Measured (2026-11-30, [8192, 64] fwd + bwd, alternating in one process): JavaScript passes
 * 18.5 ms min, unfused 12.6 ms (medians 40 vs 44: noisy). JavaScript passes (~8 ns an element
 * here) do not beat wasm's vectorised elementwise kernels; the SIMD kernels below do
 * (applyWasmFixes registers this kernel since 2026-12-01).
 *
 * 2026-12-01: with C % 4 = 0 both directions are SIMD kernels in the heap (wasm-simd-kernels.ts):
 * float32 arithmetic, a row's sums lane-wise then across the four lanes (independent of the
 * other rows, so a row's result does not depend on how many rows there are: the N-worker
 * equivalence specs), dgamma and dbeta added row after row in float32 as the unfused path's
 * column sums do. With the SIMD bias + GELU: a transformer step 1.15x faster wall, 1.17x less
 * CPU, paired (ab-kernels.ts --pair=unfusedNorm,after). Other widths the op runs unfused (the
 * FUSED_KERNEL_COVERS predicate declines them; a direct call computes the composition in wasm's
 * own kernels, wasm-fused-composition.ts): the JavaScript loops they had were slower than that
 * ([8192, 66] fwd + bwd min 9.5-10.1 vs 6.4-6.7 ms unfused, 2026-12-01).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expectWasmInput, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { FUSED_KERNEL_COVERS, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, registerFusedGradients } from './fused-kernels';
import { heapOffset } from './wasm-heap-views';
import { simdKernels, type SimdKernels } from './wasm-simd-kernels';
import { layerNormComposed, layerNormGradComposed } from './wasm-fused-composition';

function rowsOf(kernel: string, inputs: tf.NamedTensorInfoMap, withDy: boolean): { x: tf.TensorInfo; gamma: tf.TensorInfo; N: number; C: number } {
  const { x, gamma, beta, dy } = inputs;
  if (x === undefined || x.shape.length < 1) throw new Error(`${kernel} (wasm): input x is missing or a scalar`);
  const C = x.shape[x.shape.length - 1];
  expectWasmInput(kernel, 'x', x, x.shape);
  expectWasmInput(kernel, 'gamma', gamma, [C]);
  expectWasmInput(kernel, 'beta', beta, [C]);
  if (withDy) expectWasmInput(kernel, 'dy', dy, x.shape);
  return { x, gamma, N: C === 0 ? 0 : tf.util.sizeFromShape(x.shape) / C, C };
}

/** The SIMD kernels when they cover this width: C % 4 = 0 (else the composition). */
function simdFor(wasm: BackendWasm, C: number): SimdKernels | undefined {
  return C % 4 === 0 ? simdKernels(wasm) : undefined;
}

function layerNormForward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, gamma, N, C } = rowsOf(LAYER_NORM_KERNEL, inputs, false);
  const eps = attrs?.eps as number;
  const wasm: BackendWasm = backend;
  const beta = inputs.beta as tf.TensorInfo;
  const simd = simdFor(wasm, C);
  if (simd === undefined) return layerNormComposed(wasm, x, gamma, beta, eps);
  const out = wasm.makeOutput([...x.shape], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
  simd.layerNormForward(at(x), at(gamma), at(beta), at(out), N, C, eps);
  return out;
}

function layerNormBackward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { x, gamma, N, C } = rowsOf(LAYER_NORM_GRAD_KERNEL, inputs, true);
  const eps = attrs?.eps as number;
  const wasm: BackendWasm = backend;
  const dy = inputs.dy as tf.TensorInfo;
  const simd = simdFor(wasm, C);
  if (simd === undefined) return layerNormGradComposed(wasm, x, gamma, dy, eps);
  const dxOut = wasm.makeOutput([...x.shape], 'float32');
  const dgOut = wasm.makeOutput([C], 'float32');
  const dbOut = wasm.makeOutput([C], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
  (wasm.typedArrayFromHeap(dgOut) as Float32Array).fill(0);
  (wasm.typedArrayFromHeap(dbOut) as Float32Array).fill(0);
  simd.layerNormBackward(at(x), at(gamma), at(dy), at(dxOut), at(dgOut), at(dbOut), N, C, eps);
  return [dxOut, dgOut, dbOut];
}

/** The calls the SIMD kernels run (C % 4 = 0); the op runs its reference for the rest. */
function covers(shapes: Readonly<Record<string, readonly number[]>>): boolean {
  const x = shapes.x;
  return x !== undefined && x.length >= 1 && simdFor(tf.backend() as unknown as BackendWasm, x[x.length - 1]!) !== undefined;
}
Object.defineProperty(layerNormForward, FUSED_KERNEL_COVERS, { value: covers });

/** Registers the kernels for wasm and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWasmLayerNorm(): string {
  if (tf.getKernel(LAYER_NORM_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName: 'wasm', kernelFunc: layerNormForward });
    tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: layerNormBackward as unknown as tf.KernelFunc });
  }
  registerFusedGradients();
  return 'fused layer norm';
}
