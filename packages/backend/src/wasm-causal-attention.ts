/**
 * Fused causal multi-head self-attention for the wasm backend, forward and backward, under the op
 * names `@rewardkit/ops`'s causalAttention and causalAttentionPacked call (packages/ops/src/
 * causal-attention.ts: contract and reference; webgpu-causal-attention.ts: the same kernels on the
 * GPU, same inputs, attrs and outputs, and the gradient both register).
 *
 * Why: unfused, each block's attention on wasm is a split of c_attn's output, three reshape +
 * transposes, a [B, 1, T, T] mask built from the lengths (range, compare, where), two batched
 * matMuls, a scale, a mask add, a softmax (max, sub, exp, sum, div) and a transpose back, each a
 * wasm kernel writing a full tensor; backward doubles that. Here, per (row b, head h):
 *   copy q_h, k_h^T, v_h out of the [B*T, C] (or packed [B*T, 3C]) rows into contiguous scratch,
 *   S = q_h k_h^T and Y = P v_h by wasm's XNNPACK 2-D matMul on heap views (wasm-heap-views.ts:
 *   a JavaScript dot-product loop is ~15x slower), the masked softmax in JavaScript between them,
 *   and copy Y back into its columns. Only the L = lengths[b] visible keys are ever multiplied
 *   (S is [T, L]); the causal triangle inside is masked in the softmax, so nothing T x T exists
 *   beyond one head's scratch and no mask tensor is built.
 * Backward recomputes P the same way (bit-identical to the forward's), then
 *   dP = dY v_h^T,  dS = P (dP - rowsum(P dP)) scale,  dQ = dS k_h,  dK = dS^T q_h,  dV = P^T dY
 * (the softmax gradient as tfjs's composition computes it), the transposes made in JavaScript.
 * Softmax sums run in float64.
 *
 * Measured (2026-11-30, default transformer, 32 pairs, ab-kernels.ts alternating in one process,
 * paired ratio over rounds): step CPU time unfused / fused 1.008 at 128 tokens, 0.942 at 256 -- no
 * gain, so applyWasmFixes leaves it out (registerWasmCausalAttention opts in). In isolation the
 * kernel beats the op's own composition (fwd + bwd [8192, 192], T 128: 190 vs 328 ms min), but not
 * the model's unfused path (weights split, host mask), because its JavaScript work (exp over the
 * T x L scores twice, the backward's transposes: ~8 ns an element here) costs what fewer wasm
 * kernels save. Next step if attention matters: keep P from the forward instead of recomputing it,
 * and run exp through wasm's vectorised Exp on the scratch block.
 */
import * as tf from '@tensorflow/tfjs-core';
import { closeView, heapOffset, matMul2d, openView } from './wasm-heap-views';
import { expectWasmInput, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL, ATTENTION_GRAD_KERNEL, registerFusedGradients } from './fused-kernels';

interface Shape {
  readonly B: number;
  readonly T: number;
  readonly H: number;
  readonly D: number;
  readonly C: number;
  /** Row stride of q, k, v (C, or 3C packed) and the column where each starts. */
  readonly stride: number;
  readonly qOff: number;
  readonly kOff: number;
  readonly vOff: number;
}

interface Inputs {
  readonly s: Shape;
  readonly q: tf.TensorInfo;
  readonly k: tf.TensorInfo;
  readonly v: tf.TensorInfo;
  readonly lengths: tf.TensorInfo;
}

function checkInputs(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined, outs: readonly string[]): Inputs {
  const packed = attrs?.packed === true;
  const T = attrs?.width as number;
  const H = attrs?.heads as number;
  const first = packed ? inputs.qkv : inputs.q;
  const what = packed ? 'qkv must be float32 [B*T, 3C]' : 'q must be float32 [B*T, C]';
  if (first === undefined || first.shape.length !== 2 || first.dtype !== 'float32') throw new Error(`${kernel} (wasm): ${what}; got ${first ? `${first.dtype} [${first.shape}]` : 'nothing'}`);
  const [N, width] = first.shape as [number, number];
  const C = packed ? width / 3 : width;
  if (!Number.isInteger(C)) throw new Error(`${kernel} (wasm): ${what}; got [${first.shape}]`);
  if (!(T > 0) || N % T !== 0) throw new Error(`${kernel} (wasm): ${N} rows are not a whole number of sequences of width ${T}`);
  if (!(H > 0) || C % H !== 0) throw new Error(`${kernel} (wasm): ${C} columns do not split into ${H} heads`);
  for (const n of packed ? ['qkv'] : ['q', 'k', 'v']) expectWasmInput(kernel, n, inputs[n], [N, packed ? 3 * C : C]);
  for (const n of outs) expectWasmInput(kernel, n, inputs[n], [N, C]);
  expectWasmInput(kernel, 'lengths', inputs.lengths, [N / T], 'int32');
  const s: Shape = { B: N / T, T, H, D: C / H, C, stride: width, qOff: 0, kOff: packed ? C : 0, vOff: packed ? 2 * C : 0 };
  const get = (n: string) => (packed ? inputs.qkv : inputs[n]) as tf.TensorInfo;
  return { s, q: get('q'), k: get('k'), v: get('v'), lengths: inputs.lengths as tf.TensorInfo };
}

/**
 * One call's scratch: a single allocation split into named [rows, cols] blocks. Views into the
 * heap are re-made after every matMul (XNNPACK may grow the heap, which detaches older arrays).
 */
class Scratch {
  private readonly info: tf.TensorInfo;
  private readonly offsets = new Map<string, number>();

  constructor(
    private readonly backend: BackendWasm,
    private readonly blocks: Record<string, number>,
  ) {
    let total = 0;
    for (const [name, size] of Object.entries(blocks)) {
      this.offsets.set(name, total);
      total += size;
    }
    this.info = backend.makeOutput([total], 'float32');
  }

  /** A Float32Array over block `name` (valid until the next matMul or allocation). */
  view(name: string): Float32Array {
    const all = this.backend.typedArrayFromHeap(this.info) as Float32Array;
    return all.subarray(this.offsets.get(name)!, this.offsets.get(name)! + this.blocks[name]!);
  }

  /** out[m, n] = a[m, k] x b[k, n] on blocks of this scratch (XNNPACK, fresh views each time). */
  matMul(a: string, b: string, out: string, m: number, k: number, n: number): void {
    const base = heapOffset(this.backend, this.info);
    const at = (name: string, shape: number[]) => openView(this.backend, base + 4 * this.offsets.get(name)!, shape);
    const views = [at(a, [m, k]), at(b, [k, n]), at(out, [m, n])];
    try {
      matMul2d(this.backend, views[0]!, views[1]!, views[2]!, m, k, n);
    } finally {
      for (const v of views) closeView(this.backend, v);
    }
  }

  dispose(): void {
    this.backend.disposeData(this.info.dataId);
  }
}

/** Copies head h of row b of `src` (row stride s.stride, column offset off) into dst as [T, D], or as [D, rows] transposed. */
function gather(src: Float32Array, s: Shape, b: number, h: number, off: number, dst: Float32Array, rows: number, transposed: boolean): void {
  const { T, D, stride } = s;
  for (let t = 0; t < rows; t++) {
    const o = (b * T + t) * stride + off + h * D;
    if (transposed) for (let d = 0; d < D; d++) dst[d * rows + t] = src[o + d];
    else dst.set(src.subarray(o, o + D), t * D);
  }
}

/** Writes [T, D] block src (rows >= `rows` as zeros) into head h of row b of a [B*T, C] output. */
function scatter(src: Float32Array, s: Shape, b: number, h: number, rows: number, dst: Float32Array): void {
  const { T, D, C } = s;
  for (let t = 0; t < T; t++) {
    const o = (b * T + t) * C + h * D;
    if (t < rows) dst.set(src.subarray(t * D, t * D + D), o);
    else dst.fill(0, o, o + D);
  }
}

/** In place: row i of S [T, L] becomes softmax over keys j <= min(i, L - 1) of S_ij scale, zeros after. */
function maskedSoftmax(S: Float32Array, T: number, L: number, scale: number): void {
  for (let i = 0; i < T; i++) {
    const o = i * L;
    const last = Math.min(i, L - 1);
    let mx = -Infinity;
    for (let j = 0; j <= last; j++) mx = Math.max(mx, S[o + j] * scale);
    let sum = 0;
    for (let j = 0; j <= last; j++) {
      const e = Math.exp(S[o + j] * scale - mx);
      S[o + j] = e;
      sum += e;
    }
    for (let j = 0; j <= last; j++) S[o + j] /= sum;
    for (let j = last + 1; j < L; j++) S[o + j] = 0;
  }
}

/** Lengths as plain numbers, checked to lie in 1..T (a 0 would leave a softmax row empty). */
function lengthsOf(kernel: string, wasm: BackendWasm, lengths: tf.TensorInfo, T: number): number[] {
  const ls = Array.from(wasm.typedArrayFromHeap(lengths) as Int32Array);
  ls.forEach((l, b) => {
    if (!(l >= 1 && l <= T)) throw new Error(`${kernel} (wasm): lengths[${b}] = ${l} is not in 1..${T}`);
  });
  return ls;
}

function attentionForward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { s, q, k, v, lengths } = checkInputs(ATTENTION_KERNEL, inputs, attrs, []);
  const wasm: BackendWasm = backend;
  const { B, T, H, D } = s;
  const ls = lengthsOf(ATTENTION_KERNEL, wasm, lengths, T);
  const out = wasm.makeOutput([B * T, s.C], 'float32');
  const scratch = new Scratch(wasm, { q: T * D, kT: D * T, v: T * D, S: T * T, y: T * D });
  const scale = 1 / Math.sqrt(D);
  try {
    for (let b = 0; b < B; b++) {
      const L = ls[b]!;
      for (let h = 0; h < H; h++) {
        const [qs, ks, vs] = [q, k, v].map((t) => wasm.typedArrayFromHeap(t) as Float32Array) as [Float32Array, Float32Array, Float32Array];
        gather(qs, s, b, h, s.qOff, scratch.view('q'), T, false);
        gather(ks, s, b, h, s.kOff, scratch.view('kT'), L, true);
        gather(vs, s, b, h, s.vOff, scratch.view('v'), L, false);
        scratch.matMul('q', 'kT', 'S', T, D, L);
        maskedSoftmax(scratch.view('S'), T, L, scale);
        scratch.matMul('S', 'v', 'y', T, L, D);
        scatter(scratch.view('y'), s, b, h, T, wasm.typedArrayFromHeap(out) as Float32Array);
      }
    }
  } catch (err) {
    wasm.disposeData(out.dataId);
    throw err;
  } finally {
    scratch.dispose();
  }
  return out;
}

/** Inputs q, k, v (or qkv), y (the forward's output), dy, lengths; outputs [dq, dk, dv]. */
function attentionBackward(rawArgs: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
  const { s, q, k, v, lengths } = checkInputs(ATTENTION_GRAD_KERNEL, inputs, attrs, ['y', 'dy']);
  const wasm: BackendWasm = backend;
  const { B, T, H, D } = s;
  const ls = lengthsOf(ATTENTION_GRAD_KERNEL, wasm, lengths, T);
  const outs = [0, 1, 2].map(() => wasm.makeOutput([B * T, s.C], 'float32'));
  const dy = inputs.dy as tf.TensorInfo;
  const scratch = new Scratch(wasm, {
    q: T * D, kT: D * T, k: T * D, vT: D * T, dy: T * D, S: T * T, dP: T * T, PT: T * T, dST: T * T, dq: T * D, dk: T * D, dv: T * D,
  });
  const scale = 1 / Math.sqrt(D);
  const dyShape: Shape = { ...s, stride: s.C };
  try {
    for (let b = 0; b < B; b++) {
      const L = ls[b]!;
      for (let h = 0; h < H; h++) {
        const [qs, ks, vs, dys] = [q, k, v, dy].map((t) => wasm.typedArrayFromHeap(t) as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
        gather(qs, s, b, h, s.qOff, scratch.view('q'), T, false);
        gather(ks, s, b, h, s.kOff, scratch.view('kT'), L, true);
        gather(ks, s, b, h, s.kOff, scratch.view('k'), L, false);
        gather(vs, s, b, h, s.vOff, scratch.view('vT'), L, true);
        gather(dys, dyShape, b, h, 0, scratch.view('dy'), T, false);
        scratch.matMul('q', 'kT', 'S', T, D, L);
        scratch.matMul('dy', 'vT', 'dP', T, D, L);
        const P = scratch.view('S');
        maskedSoftmax(P, T, L, scale);
        const dP = scratch.view('dP');
        const PT = scratch.view('PT');
        const dST = scratch.view('dST');
        for (let i = 0; i < T; i++) {
          const o = i * L;
          let dl = 0;
          for (let j = 0; j < L; j++) dl += P[o + j]! * dP[o + j]!;
          for (let j = 0; j < L; j++) {
            const p = P[o + j]!;
            PT[j * T + i] = p;
            dST[j * T + i] = p * (dP[o + j]! - dl) * scale;
            P[o + j] = dST[j * T + i]!; // S now holds dS
          }
        }
        scratch.matMul('S', 'k', 'dq', T, L, D); // dQ = dS k
        scratch.matMul('dST', 'q', 'dk', L, T, D); // dK = dS^T q
        scratch.matMul('PT', 'dy', 'dv', L, T, D); // dV = P^T dY
        ['dq', 'dk', 'dv'].forEach((name, n) => scatter(scratch.view(name), s, b, h, n === 0 ? T : L, wasm.typedArrayFromHeap(outs[n]!) as Float32Array));
      }
    }
  } catch (err) {
    for (const o of outs) wasm.disposeData(o.dataId);
    throw err;
  } finally {
    scratch.dispose();
  }
  return outs;
}

/** Registers the kernels for wasm and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWasmCausalAttention(): string {
  if (tf.getKernel(ATTENTION_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName: 'wasm', kernelFunc: attentionForward });
    tf.registerKernel({ kernelName: ATTENTION_GRAD_KERNEL, backendName: 'wasm', kernelFunc: attentionBackward as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(ATTENTION_PACKED_KERNEL, 'wasm') === undefined) {
    const packed: tf.KernelFunc = (args) => attentionForward({ ...args, attrs: { ...args.attrs, packed: true } });
    tf.registerKernel({ kernelName: ATTENTION_PACKED_KERNEL, backendName: 'wasm', kernelFunc: packed });
  }
  registerFusedGradients();
  return 'fused causal attention';
}
