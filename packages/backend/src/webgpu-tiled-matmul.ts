/**
 * A register-blocked, shared-memory tiled fp32 BatchMatMul for webgpu, every transpose combination,
 * OFF by default: `REWARDKIT_WEBGPU_MATMUL=tiled` (or `setWebGpuTiledMatMul(true)`) puts it in place
 * of tfjs's own kernel, so a GPU run can measure both from one build (step-profile's matMul rows).
 *
 * Why: tfjs-webgpu's matMul ran at 5.5-12.6 TFLOP/s fp32 on an H200 (../shared/gpu/README.md),
 * against ~67 the chip can do without tensor cores; a transformer step is mostly matMuls (578 of
 * 794 ms of kernel time on GPT-2 small). tfjs's kernel computes a 32 x 32 tile per 64-thread
 * workgroup; this one computes a BM x BN = 128 x 128 tile (64 x 64 for small products) per 256
 * threads, each thread an 8 x 8 (4 x 4) block of accumulators in registers, with the A and B
 * slices of each 16-deep step staged in workgroup memory: twice to four times fewer global loads
 * per flop. Whether that is faster on a given GPU is what the GPU check measures; on lavapipe
 * (CPU) only correctness is tested (webgpu-tiled-matmul.spec.ts, against cpu to 1e-4 with gradients).
 *
 * C[b] = op(A[b]) op(B[b]): A is [.., M, K] ([.., K, M] when transposeA), B [.., K, N] ([.., N, K]
 * when transposeB); the batch dims are flattened, and one side may have a batch of 1 (broadcast).
 * Other broadcasts, and non-float32 inputs, go to tfjs's own kernel. Loads map consecutive threads
 * to consecutive addresses for either layout, and a thread's outputs are strided by 16 so reads of
 * the staged tiles do not collide on memory banks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ENABLE_F16 } from './webgpu-f16-shader-hook';
import { webGpuF16ComputeOn } from './webgpu-f16-mode';

export const TILED_MATMUL_ENV = 'REWARDKIT_WEBGPU_MATMUL';

const BK = 16;
const THREADS = 16; // per side: 16 x 16 = 256 threads

interface Dims {
  readonly batch: number;
  readonly batchA: number;
  readonly batchB: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

class TiledMatMulProgram implements WebGPUProgram {
  readonly outputShape: number[];
  readonly variableNames = ['A', 'B'];
  readonly uniforms = 'dimM : i32, dimN : i32, dimK : i32, batchA : i32, batchB : i32,';
  readonly workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  readonly dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  shaderKey: string;
  private readonly tm: number;

  constructor(
    outputShape: number[],
    d: Dims,
    private readonly transposeA: boolean,
    private readonly transposeB: boolean,
    /** Half-precision operands (webgpu-f16-mode.ts): the staged tiles hold f16, products and sums stay f32. */
    private readonly f16: boolean,
  ) {
    this.outputShape = outputShape;
    // 8 x 8 per thread where both sides fill 128-wide tiles; 4 x 4 for small products
    this.tm = d.M >= 512 && d.N >= 512 ? 8 : 4;
    const tile = THREADS * this.tm;
    this.dispatch = [Math.ceil(d.N / tile), Math.ceil(d.M / tile), d.batch];
    this.shaderKey = `rewardkitTiledMatMul_${transposeA}_${transposeB}_${this.tm}${f16 ? '_f16' : ''}`;
  }

  getUserCode(): string {
    const TM = this.tm;
    const TILE = THREADS * TM;
    const perThread = (TILE * BK) / (THREADS * THREADS); // loads per thread per operand
    // element (m, k) of op(A) / (k, n) of op(B) in the flat buffers, and how a load index maps to it
    const aAt = this.transposeA ? 'aBase + gk * uniforms.dimM + gm' : 'aBase + gm * uniforms.dimK + gk';
    const aIdx = this.transposeA ? `let k = idx / ${TILE}; let m = idx % ${TILE};` : `let m = idx / ${BK}; let k = idx % ${BK};`;
    const bAt = this.transposeB ? 'bBase + gn * uniforms.dimK + gk' : 'bBase + gk * uniforms.dimN + gn';
    const bIdx = this.transposeB ? `let n = idx / ${BK}; let k = idx % ${BK};` : `let k = idx / ${TILE}; let n = idx % ${TILE};`;
    // f16: operands rounded to half precision as they are staged (half the workgroup memory), read
    // back into f32 registers; an f16 x f16 product is exact in f32, so only the operands round
    // (what tensor cores do: f16 inputs, f32 accumulation); the output stays f32
    const T = this.f16 ? 'f16' : 'f32';
    const stage = this.f16 ? 'f16(value)' : 'value';
    const load = (x: string) => (this.f16 ? `f32(${x})` : x);
    return `${this.f16 ? ENABLE_F16 : ''}
      var<workgroup> As : array<array<${T}, ${TILE}>, ${BK}>;
      var<workgroup> Bs : array<array<${T}, ${TILE}>, ${BK}>;
      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let tid = ty * ${THREADS} + tx;
        let batch = i32(workgroupId.z);
        let rowStart = i32(workgroupId.y) * ${TILE};
        let colStart = i32(workgroupId.x) * ${TILE};
        let aBase = (batch % uniforms.batchA) * uniforms.dimM * uniforms.dimK;
        let bBase = (batch % uniforms.batchB) * uniforms.dimK * uniforms.dimN;
        var acc : array<array<f32, ${TM}>, ${TM}>;
        for (var i = 0; i < ${TM}; i = i + 1) { for (var j = 0; j < ${TM}; j = j + 1) { acc[i][j] = 0.0; } }
        for (var k0 = 0; k0 < uniforms.dimK; k0 = k0 + ${BK}) {
          for (var l = 0; l < ${perThread}; l = l + 1) {
            let idx = tid + l * ${THREADS * THREADS};
            {
              ${aIdx}
              let gm = rowStart + m;
              let gk = k0 + k;
              var value = 0.0;
              if (gm < uniforms.dimM && gk < uniforms.dimK) { value = A[${aAt}]; }
              As[k][m] = ${stage};
            }
            {
              ${bIdx}
              let gn = colStart + n;
              let gk = k0 + k;
              var value = 0.0;
              if (gn < uniforms.dimN && gk < uniforms.dimK) { value = B[${bAt}]; }
              Bs[k][n] = ${stage};
            }
          }
          workgroupBarrier();
          for (var k = 0; k < ${BK}; k = k + 1) {
            var a : array<f32, ${TM}>;
            var b : array<f32, ${TM}>;
            for (var i = 0; i < ${TM}; i = i + 1) { a[i] = ${load(`As[k][ty + i * ${THREADS}]`)}; b[i] = ${load(`Bs[k][tx + i * ${THREADS}]`)}; }
            for (var i = 0; i < ${TM}; i = i + 1) {
              for (var j = 0; j < ${TM}; j = j + 1) { acc[i][j] = fma(a[i], b[j], acc[i][j]); }
            }
          }
          workgroupBarrier();
        }
        let outBase = batch * uniforms.dimM * uniforms.dimN;
        for (var i = 0; i < ${TM}; i = i + 1) {
          let row = rowStart + ty + i * ${THREADS};
          if (row >= uniforms.dimM) { continue; }
          for (var j = 0; j < ${TM}; j = j + 1) {
            let col = colStart + tx + j * ${THREADS};
            if (col < uniforms.dimN) { result[outBase + row * uniforms.dimN + col] = acc[i][j]; }
          }
        }
      }`;
  }
}

interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: WebGPUBackend;
  readonly attrs: { transposeA: boolean; transposeB: boolean };
}

/** The product's sizes, or undefined where this kernel does not apply (stock tfjs runs it). */
export function tiledDims(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): { dims: Dims; outShape: number[] } | undefined {
  if (aShape.length < 2 || bShape.length < 2) return undefined;
  const r = (s: readonly number[], i: number) => s[s.length - i] as number;
  const M = transposeA ? r(aShape, 1) : r(aShape, 2);
  const K = transposeA ? r(aShape, 2) : r(aShape, 1);
  const K2 = transposeB ? r(bShape, 1) : r(bShape, 2);
  const N = transposeB ? r(bShape, 2) : r(bShape, 1);
  if (K !== K2) return undefined; // stock reports the mismatch
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  // equal batch dims, or one side without a batch (size 1): a flat index then covers both
  const same = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!same && batchA !== 1 && batchB !== 1) return undefined;
  const longer = outerA.length >= outerB.length ? outerA : outerB;
  const outer = same ? outerA : batchA === 1 && batchB === 1 ? longer : batchA === 1 ? outerB : outerA;
  if (outer.length < longer.length) return undefined; // e.g. [1, 1, M, K] x [3, K, N]: stock's broadcast
  return { dims: { batch: Math.max(batchA, batchB), batchA, batchB, M, N, K }, outShape: [...outer, M, N] };
}

let stock: tf.KernelConfig | undefined;

function tiledBatchMatMul(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a;
  const b = inputs.b;
  const plan = a && b && a.dtype === 'float32' && b.dtype === 'float32' ? tiledDims(a.shape, b.shape, attrs.transposeA, attrs.transposeB) : undefined;
  if (!a || !b || !plan || plan.dims.M * plan.dims.N * plan.dims.K === 0) {
    return (stock as tf.KernelConfig).kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const d = plan.dims;
  const uniforms = [d.M, d.N, d.K, d.batchA, d.batchB].map((v) => ({ type: 'int32', data: [v] }));
  const program = new TiledMatMulProgram(plan.outShape, d, attrs.transposeA, attrs.transposeB, webGpuF16ComputeOn());
  return backend.runWebGPUProgram(program, [a, b], 'float32', uniforms);
}

/** Whether the tiled kernel is tfjs's BatchMatMul on webgpu now. */
export function webGpuTiledMatMulOn(): boolean {
  return tf.getKernel('BatchMatMul', 'webgpu')?.kernelFunc === (tiledBatchMatMul as unknown as tf.KernelFunc);
}

/** Puts the tiled kernel in place of tfjs's BatchMatMul on webgpu (true) or restores tfjs's (false). */
export function setWebGpuTiledMatMul(on: boolean): void {
  const current = tf.getKernel('BatchMatMul', 'webgpu');
  if (current === undefined) return; // webgpu not registered in this process
  const ours = current.kernelFunc === (tiledBatchMatMul as unknown as tf.KernelFunc);
  if (on === ours) return;
  tf.unregisterKernel('BatchMatMul', 'webgpu');
  if (on) {
    stock = current;
    tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'webgpu', kernelFunc: tiledBatchMatMul as unknown as tf.KernelFunc });
  } else {
    tf.registerKernel(stock as tf.KernelConfig);
  }
}

/** Applies REWARDKIT_WEBGPU_MATMUL at start-up; returns a label when the tiled kernel is on. */
export function applyWebGpuMatMulChoice(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const choice = env[TILED_MATMUL_ENV];
  if (choice === undefined || choice === '' || choice === 'stock') return undefined;
  if (choice !== 'tiled') throw new Error(`${TILED_MATMUL_ENV}=${choice}: expected 'tiled' or 'stock'`);
  setWebGpuTiledMatMul(true);
  return 'tiled fp32 matMul (REWARDKIT_WEBGPU_MATMUL=tiled)';
}
