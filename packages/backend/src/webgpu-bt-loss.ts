/**
 * The Bradley-Terry loss head for the webgpu backend, forward and backward, under the op name
 * `@rewardkit/ops`'s bradleyTerryLossSum calls (packages/ops/src/bradley-terry-loss.ts: contract
 * and reference):
 *   sum_i w_i (softplus(-d_i) + eps d_i),  d_i = rChosen_i - rRejected_i - margin_i,
 *   dLoss/drChosen_i = dy w_i (eps - sigmoid(-d_i)) = -dLoss/drRejected_i.
 * (softplus(-d) + eps d is (1 - eps) softplus(-d) + eps softplus(d), the label-smoothed loss.)
 *
 * Why: unfused the head is ~8 dispatches forward (sub, sub, neg, softplus, neg, the smoothing blend,
 * mul, sum) and about twice that backward, each a [n] tensor; here one dispatch forward (one
 * workgroup strides over the pairs and tree-sums) and one backward, which writes both reward
 * gradients through webgpu-bt-loss-dispatch.ts (tfjs's programs have one output each).
 * softplus(x) = max(x, 0) + log1p(exp(-|x|)), with log1p(e) from its series below 1e-4, where
 * log(1 + e) in float32 would round to 0 (tfjs's own softplus does that; the difference is < 1e-8
 * absolute per pair).
 * Margins and weights are optional (attrs hasMargins/hasWeights): without them the kernel binds
 * nothing and uses 0 and 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { expectInput, runProgram, workgroupSumSnippet } from './webgpu-program';
import { runRawProgram } from './webgpu-bt-loss-dispatch';
import { BT_LOSS_GRAD_KERNEL, BT_LOSS_KERNEL, registerFusedGradients } from './fused-kernels';

const WG = 256;

interface Attrs {
  readonly labelSmoothing: number;
  /** Whether `margins` / `weights` are real inputs (else placeholders, not bound: 0 and 1). */
  readonly hasMargins: boolean;
  readonly hasWeights: boolean;
}

interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: WebGPUBackend;
  readonly attrs: Attrs;
}

const SOFTPLUS_WGSL = `
  fn softplus(x : f32) -> f32 {
    let e = exp(-abs(x));
    var l : f32;
    if (e < 1e-4) { l = e * (1.0 - e * (0.5 - e / 3.0)); } else { l = log(1.0 + e); }
    return max(x, 0.0) + l;
  }
  fn sigmoid(x : f32) -> f32 {
    if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
    let e = exp(x);
    return e / (1.0 + e);
  }`;

/** The optional inputs in use (attrs), in binding order. */
function optional(inputs: tf.NamedTensorInfoMap, attrs: Attrs, n: number, kernel: string): { names: ('margins' | 'weights')[]; tensors: tf.TensorInfo[] } {
  const names: ('margins' | 'weights')[] = [];
  const tensors: tf.TensorInfo[] = [];
  for (const name of ['margins', 'weights'] as const) {
    const t = inputs[name];
    if (name === 'margins' ? attrs.hasMargins : attrs.hasWeights) {
      names.push(name);
      tensors.push(expectInput(kernel, name, t, [n]));
    }
  }
  return { names, tensors };
}

function check(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs): number {
  const eps = attrs.labelSmoothing;
  if (!(eps >= 0 && eps <= 0.5)) throw new Error(`${kernel}: labelSmoothing ${eps} is outside [0, 0.5]`);
  const rc = inputs.rChosen;
  if (rc === undefined || rc.shape.length !== 1) throw new Error(`${kernel}: rChosen must be [n]; got ${rc ? `[${rc.shape}]` : 'nothing'}`);
  const n = rc.shape[0] as number;
  expectInput(kernel, 'rChosen', rc, [n]);
  expectInput(kernel, 'rRejected', inputs.rRejected, [n]);
  return n;
}

/** WGSL for d_i and w_i given which optional inputs are bound. */
function terms(names: readonly string[]): { d: string; w: string } {
  return {
    d: `rChosen[i] - rRejected[i]${names.includes('margins') ? ' - margins[i]' : ''}`,
    w: names.includes('weights') ? 'weights[i]' : '1.0',
  };
}

function btLossForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const n = check(BT_LOSS_KERNEL, inputs, attrs);
  const opt = optional(inputs, attrs, n, BT_LOSS_KERNEL);
  const { d, w } = terms(opt.names);
  return runProgram(
    backend,
    {
      key: `rewardkitBtLoss_fwd_${opt.names.join('_')}`,
      inputs: ['rChosen', 'rRejected', ...opt.names],
      outputShape: [1],
      threads: WG, // one workgroup: each thread strides over the pairs, then a tree sum
      workgroup: WG,
      uniforms: [
        { name: 'n', type: 'i32', value: n },
        { name: 'eps', type: 'f32', value: attrs.labelSmoothing },
      ],
      code: `${SOFTPLUS_WGSL}
      ${workgroupSumSnippet(WG)}
      fn main(index : i32) {
        var acc = 0.0;
        for (var i = index; i < uniforms.n; i = i + ${WG}) {
          let d = ${d};
          acc = acc + ${w} * (softplus(-d) + uniforms.eps * d);
        }
        let total = workgroupSum(acc, index);
        if (index == 0) { result[0] = total; }
      }`,
    },
    [inputs.rChosen as tf.TensorInfo, inputs.rRejected as tf.TensorInfo, ...opt.tensors],
  );
}

/** [dChosen, dRejected] from dy ([1], the forward's output gradient) in one dispatch. */
function btLossBackward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const n = check(BT_LOSS_GRAD_KERNEL, inputs, attrs);
  const dy = expectInput(BT_LOSS_GRAD_KERNEL, 'dy', inputs.dy, [1]);
  const opt = optional(inputs, attrs, n, BT_LOSS_GRAD_KERNEL);
  const { d, w } = terms(opt.names);
  return runRawProgram(
    backend,
    {
      key: `rewardkitBtLoss_grad_${opt.names.join('_')}`,
      outputs: [
        { name: 'dChosen', shape: [n] },
        { name: 'dRejected', shape: [n] },
      ],
      inputNames: ['rChosen', 'rRejected', 'dy', ...opt.names],
      uniforms: [
        { name: 'n', type: 'i32', value: n },
        { name: 'eps', type: 'f32', value: attrs.labelSmoothing },
      ],
      workgroups: Math.ceil(n / WG),
      workgroupSize: WG,
      code: `${SOFTPLUS_WGSL}
      fn main(i : i32) {
        if (i >= uniforms.n) { return; }
        let d = ${d};
        let g = dy[0] * ${w} * (uniforms.eps - sigmoid(-d));
        dChosen[i] = g;
        dRejected[i] = -g;
      }`,
    },
    [inputs.rChosen as tf.TensorInfo, inputs.rRejected as tf.TensorInfo, dy, ...opt.tensors],
  );
}

/** Registers the kernels for webgpu and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWebGpuBtLoss(): string {
  if (tf.getKernel(BT_LOSS_KERNEL, 'webgpu') === undefined) {
    tf.registerKernel({ kernelName: BT_LOSS_KERNEL, backendName: 'webgpu', kernelFunc: btLossForward as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: BT_LOSS_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: btLossBackward as unknown as tf.KernelFunc });
  }
  registerFusedGradients();
  return 'fused Bradley-Terry loss';
}
