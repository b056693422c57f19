/**
 * Fused layer norm over the last axis for the webgpu backend, forward and backward, under the op
 * name `@rewardkit/ops`'s layerNorm calls (packages/ops/src/layer-norm.ts: contract and reference).
 *
 * Why: unfused it is moments (mean, subtract, square, mean), subtract, add eps, rsqrt, multiply,
 * multiply by gamma, add beta: 9 dispatches forward and about 20 backward per norm, each writing a
 * full [N, C] tensor; GPT-2 small has 25 norms. Here: 1 dispatch forward, 4 backward.
 *
 * y = (x - mean) * rstd * gamma + beta, rstd = 1 / sqrt(var + eps), var = mean((x - mean)^2) (two
 * passes, as tf.moments computes it). With xhat = (x - mean) rstd and g = dy * gamma:
 *   dx = rstd (g - mean(g) - xhat mean(g xhat));  dgamma = sum_rows dy xhat;  dbeta = sum_rows dy
 * Forward and dx: one workgroup per row, tree sums in workgroup memory. dgamma and dbeta: one
 * workgroup per column, reading the per-row mean and rstd of a stats dispatch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { expectInput, named, type ProgramSpec, runProgram, workgroupSumSnippet } from './webgpu-program';
import { LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, registerFusedGradients } from './fused-kernels';

const WG = 64;

interface Attrs {
  readonly eps: number;
}

/** WGSL: the mean and rstd of row `row` (all threads of the workgroup call it together). */
const ROW_STATS = `
  ${workgroupSumSnippet(WG)}
  fn rowStats(row : i32, tid : i32, valid : bool) -> vec2<f32> {
    let C = uniforms.cols;
    var s = 0.0;
    if (valid) { for (var c = tid; c < C; c = c + ${WG}) { s = s + x[row * C + c]; } }
    let mean = workgroupSum(s, tid) / f32(C);
    var s2 = 0.0;
    if (valid) { for (var c = tid; c < C; c = c + ${WG}) { let d = x[row * C + c] - mean; s2 = s2 + d * d; } }
    let variance = workgroupSum(s2, tid) / f32(C);
    return vec2<f32>(mean, inverseSqrt(variance + uniforms.eps));
  }`;

function rowSpec(key: string, inputs: string[], N: number, C: number, eps: number, outputShape: number[], body: string): ProgramSpec {
  return {
    key,
    inputs,
    outputShape,
    threads: N * WG,
    workgroup: WG,
    uniforms: [
      { name: 'cols', type: 'i32', value: C },
      { name: 'eps', type: 'f32', value: eps },
    ],
    code: `${ROW_STATS}
    fn main(index : i32) {
      let row = index / ${WG};
      let tid = index % ${WG};
      let valid = index < uniforms.threads;
      let C = uniforms.cols;
      let st = rowStats(row, tid, valid);
      ${body}
    }`,
  };
}

const forwardBody = `
      if (!valid) { return; }
      for (var c = tid; c < C; c = c + ${WG}) {
        let i = row * C + c;
        result[i] = (x[i] - st.x) * st.y * gamma[c] + beta[c];
      }`;

const statsBody = `
      if (valid && tid < 2) { result[row * 2 + tid] = st[tid]; }`;

const dxBody = `
      var sg = 0.0;
      var sgx = 0.0;
      if (valid) {
        for (var c = tid; c < C; c = c + ${WG}) {
          let i = row * C + c;
          let g = dy[i] * gamma[c];
          sg = sg + g;
          sgx = sgx + g * (x[i] - st.x) * st.y;
        }
      }
      let meanG = workgroupSum(sg, tid) / f32(C);
      let meanGX = workgroupSum(sgx, tid) / f32(C);
      if (!valid) { return; }
      for (var c = tid; c < C; c = c + ${WG}) {
        let i = row * C + c;
        let xhat = (x[i] - st.x) * st.y;
        result[i] = st.y * (dy[i] * gamma[c] - meanG - xhat * meanGX);
      }`;

/** dgamma or dbeta [C]: one workgroup per column, summing over the N rows. */
function columnSpec(which: 'dgamma' | 'dbeta', N: number, C: number): ProgramSpec {
  const term = which === 'dgamma' ? 'dy[i] * (x[i] - stats[2 * r]) * stats[2 * r + 1]' : 'dy[i]';
  return {
    key: `rewardkitLayerNorm_${which}`,
    // Dawn's automatic pipeline layout drops bindings a shader never reads, and tfjs binds every input: list only what is read.
    inputs: which === 'dgamma' ? ['x', 'dy', 'stats'] : ['dy'],
    outputShape: [C],
    threads: C * WG,
    workgroup: WG,
    uniforms: [
      { name: 'rows', type: 'i32', value: N },
      { name: 'cols', type: 'i32', value: C },
    ],
    code: `${workgroupSumSnippet(WG)}
    fn main(index : i32) {
      let c = index / ${WG};
      let tid = index % ${WG};
      let valid = index < uniforms.threads;
      var s = 0.0;
      if (valid) {
        for (var r = tid; r < uniforms.rows; r = r + ${WG}) {
          let i = r * uniforms.cols + c;
          s = s + ${term};
        }
      }
      let total = workgroupSum(s, tid);
      if (valid && tid == 0) { result[c] = total; }
    }`,
  };
}

interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: WebGPUBackend;
  readonly attrs: Attrs;
}

/** x as [N, C] (any leading shape), after checking gamma and beta are [C]. */
function rowsOf(kernel: string, inputs: tf.NamedTensorInfoMap): { N: number; C: number } {
  const x = inputs.x;
  if (x === undefined || x.shape.length < 1) throw new Error(`${kernel}: input x is missing or a scalar`);
  const C = x.shape[x.shape.length - 1];
  expectInput(kernel, 'x', x, x.shape);
  expectInput(kernel, 'gamma', inputs.gamma, [C]);
  expectInput(kernel, 'beta', inputs.beta, [C]);
  return { N: tf.util.sizeFromShape(x.shape) / C, C };
}

function layerNormForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { N, C } = rowsOf(LAYER_NORM_KERNEL, inputs);
  const { x, gamma, beta } = named(LAYER_NORM_KERNEL, inputs, ['x', 'gamma', 'beta']);
  const spec = rowSpec('rewardkitLayerNormFwd', ['x', 'gamma', 'beta'], N, C, attrs.eps, [...x.shape], forwardBody);
  return runProgram(backend, spec, [x, gamma, beta]);
}

/** Inputs x, gamma, beta, dy; outputs [dx, dgamma, dbeta]. */
function layerNormBackward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { N, C } = rowsOf(LAYER_NORM_GRAD_KERNEL, inputs);
  const { x, gamma, dy } = named(LAYER_NORM_GRAD_KERNEL, inputs, ['x', 'gamma', 'dy']);
  expectInput(LAYER_NORM_GRAD_KERNEL, 'dy', dy, x.shape);
  const stats = runProgram(backend, rowSpec('rewardkitLayerNormStats', ['x'], N, C, attrs.eps, [N * 2], statsBody), [x]);
  const out = [
    runProgram(backend, rowSpec('rewardkitLayerNormDx', ['x', 'gamma', 'dy'], N, C, attrs.eps, [...x.shape], dxBody), [x, gamma, dy]),
    runProgram(backend, columnSpec('dgamma', N, C), [x, dy, stats]),
    runProgram(backend, columnSpec('dbeta', N, C), [dy]),
  ];
  backend.disposeData(stats.dataId);
  return out;
}

/** Registers the kernels for webgpu and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWebGpuLayerNorm(): string {
  if (tf.getKernel(LAYER_NORM_KERNEL, 'webgpu') === undefined) {
    tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName: 'webgpu', kernelFunc: layerNormForward as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: layerNormBackward as unknown as tf.KernelFunc });
  }
  registerFusedGradients();
  return 'fused layer norm';
}
