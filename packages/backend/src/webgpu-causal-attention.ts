/**
 * Fused causal multi-head self-attention for the webgpu backend, forward and backward, under the
 * op name that `@rewardkit/ops`'s causalAttention calls (packages/ops/src/causal-attention.ts holds
 * the contract and the unfused reference these kernels are tested against).
 *
 * Why: unfused, one block's attention is a split, three reshape+transposes, two batched matMuls, a
 * scale, a mask add, a softmax (max, sub, exp, sum, div) and a transpose back, and the gradient
 * doubles that; the [B, 1, T, T] mask is built on the host and uploaded every step, and the
 * [B, H, T, T] logits and probabilities are written to memory several times (on an H200 a GPT-2
 * small step ran 5,852 dispatches; ../shared/gpu/README.md). Here the forward is one dispatch and
 * the backward four, nothing T x T is ever stored, and the mask is two comparisons against the
 * row's length.
 *
 * Layout: q, k, v, y are [B*T, C] rows as the linear layers produce them (head h is columns
 * h*D..h*D+D-1), so no transposes are needed. lengths [B] int32: query i of row b sees keys
 * 0..min(i, lengths[b] - 1) (causal + key padding; every query sees key 0, so no row is empty).
 *
 * Forward, one invocation per (b, h, i): an online softmax over the visible keys (running max m,
 * running sum l, running weighted sum of v rows), as FlashAttention does, so one pass reads each
 * key and value row once per query. Backward (the same recomputation instead of storing P):
 *   stats: L_i = logsumexp_j s_ij  and  Dl_i = dY_i . Y_i             ([2, B*H*T], one dispatch)
 *   P_ij = exp(s_ij - L_i),  dS_ij = P_ij (dY_i . v_j - Dl_i)
 *   dQ_i = scale sum_j dS_ij k_j;  dK_j = scale sum_i dS_ij q_i;  dV_j = sum_i P_ij dY_i
 * with one dispatch each for dQ (per query), dK and dV (per key). s_ij = scale q_i . k_j.
 *
 * The simple one-thread-per-row form keeps registers at 2-3 head vectors; a tiled version that
 * shares key/value tiles through workgroup memory is the next step once a GPU run shows where
 * time goes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ROUND_F16_WGSL } from './webgpu-f16-round';
import { webGpuF16ComputeOn } from './webgpu-f16-mode';
import { expectInput, named, type ProgramSpec, runProgram, type Uniform } from './webgpu-program';
import { ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL, ATTENTION_GRAD_KERNEL, registerFusedGradients } from './fused-kernels';

const WG = 64;

interface Attrs {
  readonly heads: number;
  readonly width: number;
  /** q, k, v packed as one [B*T, 3C] tensor (c_attn's output), bound three times. */
  readonly packed?: boolean;
}

interface Shape {
  readonly B: number;
  readonly T: number;
  readonly H: number;
  readonly D: number;
  readonly C: number;
  readonly packed: boolean;
  /** Half-precision operands (webgpu-f16-mode.ts): every input read is rounded to f16; sums, softmax statistics and outputs stay f32. */
  readonly f16: boolean;
}

function shapeOf(kernel: string, q: tf.TensorInfo | undefined, attrs: Attrs): Shape {
  const what = attrs.packed ? 'qkv must be [B*T, 3C]' : 'q must be [B*T, C]';
  if (q === undefined || q.shape.length !== 2) throw new Error(`${kernel}: ${what}; got ${q ? `[${q.shape}]` : 'nothing'}`);
  const N = q.shape[0] as number;
  const C = attrs.packed ? (q.shape[1] as number) / 3 : (q.shape[1] as number);
  if (!Number.isInteger(C)) throw new Error(`${kernel}: ${what}; got [${q.shape}]`);
  const T = attrs.width;
  const H = attrs.heads;
  if (!(T > 0) || N % T !== 0) throw new Error(`${kernel}: ${N} rows are not a whole number of sequences of width ${T}`);
  if (!(H > 0) || C % H !== 0) throw new Error(`${kernel}: ${C} columns do not split into ${H} heads`);
  return { B: N / T, T, H, D: C / H, C, packed: attrs.packed === true, f16: webGpuF16ComputeOn() };
}

function uniforms(s: Shape): Uniform[] {
  return [
    { name: 'seqLen', type: 'i32', value: s.T },
    { name: 'numHeads', type: 'i32', value: s.H },
    { name: 'scale', type: 'f32', value: 1 / Math.sqrt(s.D) },
    { name: 'inStride', type: 'i32', value: s.packed ? 3 * s.C : s.C },
    { name: 'qOff', type: 'i32', value: 0 },
    { name: 'kOff', type: 'i32', value: s.packed ? s.C : 0 },
    { name: 'vOff', type: 'i32', value: s.packed ? 2 * s.C : 0 },
  ];
}

/** WGSL common to every program: which (b, h, t) an index is, where its head vector starts, how an input is read. */
function header(s: Shape): string {
  // rd: an operand as the kernel computes with it (f16: rounded to half precision exactly, as tensor
  // cores take it; webgpu-f16-round.ts says why not f32(f16(x)))
  return `${s.f16 ? ROUND_F16_WGSL : ''}
    const HD = ${s.D};
    fn rd(x : f32) -> f32 { return ${s.f16 ? 'roundF16(x)' : 'x'}; }
    // base: the head vector in a [B*T, C] tensor (y, dy, outputs); inb: in q, k, v, whose rows may be
    // packed [B*T, 3C] (then q, k, v are one tensor bound three times, at column offsets qOff, kOff, vOff)
    struct Row { b : i32, h : i32, t : i32, base : i32, inb : i32 };
    fn rowOf(index : i32) -> Row {
      let t = index % uniforms.seqLen;
      let bh = index / uniforms.seqLen;
      let h = bh % uniforms.numHeads;
      let b = bh / uniforms.numHeads;
      return Row(b, h, t, headBase(b, h, t), inBase(b, h, t));
    }
    fn headBase(b : i32, h : i32, t : i32) -> i32 {
      return (b * uniforms.seqLen + t) * uniforms.numHeads * HD + h * HD;
    }
    fn inBase(b : i32, h : i32, t : i32) -> i32 {
      return (b * uniforms.seqLen + t) * uniforms.inStride + h * HD;
    }`;
}

/** Forward: y [B*T, C]. */
function forwardSpec(s: Shape): ProgramSpec {
  return {
    key: `rewardkitAttentionFwd_${s.D}${s.f16 ? '_f16' : ''}`,
    inputs: ['q', 'k', 'v', 'lengths'],
    outputShape: [s.B * s.T, s.C],
    threads: s.B * s.H * s.T,
    workgroup: WG,
    uniforms: uniforms(s),
    code: `${header(s)}
    fn main(index : i32) {
      if (index >= uniforms.threads) { return; }
      let r = rowOf(index);
      let last = min(r.t, lengths[r.b] - 1);
      var qv : array<f32, HD>;
      var acc : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { qv[d] = rd(q[uniforms.qOff + r.inb + d]) * uniforms.scale; acc[d] = 0.0; }
      var mx = -3.0e38;
      var l = 0.0;
      for (var j = 0; j <= last; j = j + 1) {
        let kb = inBase(r.b, r.h, j);
        var s = 0.0;
        for (var d = 0; d < HD; d = d + 1) { s = s + qv[d] * rd(k[uniforms.kOff + kb + d]); }
        let mNew = max(mx, s);
        let corr = exp(mx - mNew);
        let p = exp(s - mNew);
        l = l * corr + p;
        for (var d = 0; d < HD; d = d + 1) { acc[d] = acc[d] * corr + p * rd(v[uniforms.vOff + kb + d]); }
        mx = mNew;
      }
      for (var d = 0; d < HD; d = d + 1) { result[r.base + d] = acc[d] / l; }
    }`,
  };
}

/** Backward stats: [L (B*H*T values), Dl (B*H*T values)]. */
function statsSpec(s: Shape): ProgramSpec {
  return {
    key: `rewardkitAttentionStats_${s.D}${s.f16 ? '_f16' : ''}`,
    inputs: ['q', 'k', 'dy', 'y', 'lengths'],
    outputShape: [2 * s.B * s.H * s.T],
    threads: 2 * s.B * s.H * s.T,
    workgroup: WG,
    uniforms: uniforms(s),
    code: `${header(s)}
    fn main(index : i32) {
      if (index >= uniforms.threads) { return; }
      let rows = uniforms.threads / 2;
      if (index >= rows) {
        let r = rowOf(index - rows);
        var dl = 0.0;
        for (var d = 0; d < HD; d = d + 1) { dl = dl + rd(dy[r.base + d]) * rd(y[r.base + d]); }
        result[index] = dl;
        return;
      }
      let r = rowOf(index);
      let last = min(r.t, lengths[r.b] - 1);
      var qv : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { qv[d] = rd(q[uniforms.qOff + r.inb + d]) * uniforms.scale; }
      var mx = -3.0e38;
      var l = 0.0;
      for (var j = 0; j <= last; j = j + 1) {
        let kb = inBase(r.b, r.h, j);
        var s = 0.0;
        for (var d = 0; d < HD; d = d + 1) { s = s + qv[d] * rd(k[uniforms.kOff + kb + d]); }
        let mNew = max(mx, s);
        l = l * exp(mx - mNew) + exp(s - mNew);
        mx = mNew;
      }
      result[index] = mx + log(l);
    }`,
  };
}

/** dQ [B*T, C]: one invocation per query row. */
function dqSpec(s: Shape): ProgramSpec {
  return {
    key: `rewardkitAttentionDq_${s.D}${s.f16 ? '_f16' : ''}`,
    inputs: ['q', 'k', 'v', 'dy', 'stats', 'lengths'],
    outputShape: [s.B * s.T, s.C],
    threads: s.B * s.H * s.T,
    workgroup: WG,
    uniforms: uniforms(s),
    code: `${header(s)}
    fn main(index : i32) {
      if (index >= uniforms.threads) { return; }
      let r = rowOf(index);
      let last = min(r.t, lengths[r.b] - 1);
      let lse = stats[index];
      let dl = stats[uniforms.threads + index];
      var qv : array<f32, HD>;
      var gv : array<f32, HD>;
      var acc : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { qv[d] = rd(q[uniforms.qOff + r.inb + d]) * uniforms.scale; gv[d] = rd(dy[r.base + d]); acc[d] = 0.0; }
      for (var j = 0; j <= last; j = j + 1) {
        let kb = inBase(r.b, r.h, j);
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0; d < HD; d = d + 1) { s = s + qv[d] * rd(k[uniforms.kOff + kb + d]); dp = dp + gv[d] * rd(v[uniforms.vOff + kb + d]); }
        let ds = exp(s - lse) * (dp - dl);
        for (var d = 0; d < HD; d = d + 1) { acc[d] = acc[d] + ds * rd(k[uniforms.kOff + kb + d]); }
      }
      for (var d = 0; d < HD; d = d + 1) { result[r.base + d] = acc[d] * uniforms.scale; }
    }`,
  };
}

/** dK or dV [B*T, C]: one invocation per key row; key j is seen by queries j..T-1 when j < length. */
function dkvSpec(s: Shape, which: 'dk' | 'dv'): ProgramSpec {
  const accumulate =
    which === 'dk'
      ? `var dp = 0.0;
         for (var d = 0; d < HD; d = d + 1) { dp = dp + rd(dy[qb + d]) * vv[d]; }
         let w = exp(s - stats[qi]) * (dp - stats[rows + qi]);
         for (var d = 0; d < HD; d = d + 1) { acc[d] = acc[d] + w * rd(q[qin + d]); }`
      : `let w = exp(s - stats[qi]);
         for (var d = 0; d < HD; d = d + 1) { acc[d] = acc[d] + w * rd(dy[qb + d]); }`;
  return {
    key: `rewardkitAttention_${which}_${s.D}${s.f16 ? '_f16' : ''}`,
    inputs: ['q', 'k', 'v', 'dy', 'stats', 'lengths'],
    outputShape: [s.B * s.T, s.C],
    threads: s.B * s.H * s.T,
    workgroup: WG,
    uniforms: uniforms(s),
    code: `${header(s)}
    fn main(index : i32) {
      if (index >= uniforms.threads) { return; }
      let r = rowOf(index);
      let rows = uniforms.threads;
      var kv : array<f32, HD>;
      var vv : array<f32, HD>;
      var acc : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { kv[d] = rd(k[uniforms.kOff + r.inb + d]) * uniforms.scale; vv[d] = rd(v[uniforms.vOff + r.inb + d]); acc[d] = 0.0; }
      if (r.t < lengths[r.b]) {
        for (var i = r.t; i < uniforms.seqLen; i = i + 1) {
          let qb = headBase(r.b, r.h, i);
          let qin = uniforms.qOff + inBase(r.b, r.h, i);
          let qi = index - r.t + i;
          var s = 0.0;
          for (var d = 0; d < HD; d = d + 1) { s = s + rd(q[qin + d]) * kv[d]; }
          ${accumulate}
        }
      }
      for (var d = 0; d < HD; d = d + 1) { result[r.base + d] = acc[d]${which === 'dk' ? ' * uniforms.scale' : ''}; }
    }`,
  };
}

interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: WebGPUBackend;
  readonly attrs: Attrs;
}

/** Checks the inputs; q, k, v are the three inputs, or the one packed qkv input three times. */
function checkInputs(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs, outs: readonly string[]): { s: Shape; q: tf.TensorInfo; k: tf.TensorInfo; v: tf.TensorInfo } {
  const s = shapeOf(kernel, attrs.packed ? inputs.qkv : inputs.q, attrs);
  const names = attrs.packed ? ['qkv'] : ['q', 'k', 'v'];
  for (const n of names) expectInput(kernel, n, inputs[n], [s.B * s.T, s.packed ? 3 * s.C : s.C]);
  for (const n of outs) expectInput(kernel, n, inputs[n], [s.B * s.T, s.C]);
  expectInput(kernel, 'lengths', inputs.lengths, [s.B], 'int32');
  const x = named(kernel, inputs, names);
  const get = (n: 'q' | 'k' | 'v') => (attrs.packed ? x.qkv : x[n]) as tf.TensorInfo;
  return { s, q: get('q'), k: get('k'), v: get('v') };
}

function attentionForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { s, q, k, v } = checkInputs(ATTENTION_KERNEL, inputs, attrs, []);
  return runProgram(backend, forwardSpec(s), [q, k, v, inputs.lengths as tf.TensorInfo]);
}

/** Inputs q, k, v (or qkv), y (the forward's output), dy, lengths; outputs [dq, dk, dv]. */
function attentionBackward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { s, q, k, v } = checkInputs(ATTENTION_GRAD_KERNEL, inputs, attrs, ['y', 'dy']);
  const { y, dy, lengths } = named(ATTENTION_GRAD_KERNEL, inputs, ['y', 'dy', 'lengths']);
  const stats = runProgram(backend, statsSpec(s), [q, k, dy, y, lengths]);
  const out = [
    runProgram(backend, dqSpec(s), [q, k, v, dy, stats, lengths]),
    runProgram(backend, dkvSpec(s, 'dk'), [q, k, v, dy, stats, lengths]),
    runProgram(backend, dkvSpec(s, 'dv'), [q, k, v, dy, stats, lengths]),
  ];
  backend.disposeData(stats.dataId);
  return out;
}

/** Registers the kernels for webgpu and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWebGpuCausalAttention(): string {
  if (tf.getKernel(ATTENTION_KERNEL, 'webgpu') === undefined) {
    tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName: 'webgpu', kernelFunc: attentionForward as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ATTENTION_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: attentionBackward as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(ATTENTION_PACKED_KERNEL, 'webgpu') === undefined) {
    const packed = (args: KernelArgs) => attentionForward({ ...args, attrs: { ...args.attrs, packed: true } });
    tf.registerKernel({ kernelName: ATTENTION_PACKED_KERNEL, backendName: 'webgpu', kernelFunc: packed as unknown as tf.KernelFunc });
  }
  registerFusedGradients();
  return 'fused causal attention';
}
