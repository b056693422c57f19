/**
 * Shared by the fused-kernel specs (webgpu-* and wasm-causal-attention/layer-norm/bias-gelu.spec.ts):
 * run a kernel on webgpu or wasm and its unfused reference on cpu on the same seeded inputs, and
 * compare the forward value and the gradient of sum(out * w) (w seeded, so every output element's
 * upstream gradient differs) for each float input, with no tensor or backend buffer left behind.
 * Also: a kernel's forward against the reference on wasm itself (for bit-for-bit checks), and the
 * FUSED_KERNEL_COVERS predicate a kernel carries.
 *
 * The references repeat @rewardkit/ops's (causal-attention.ts, layer-norm.ts, bias-gelu.ts) in
 * tfjs ops, since the backend may not import that package; ops' own specs test those against
 * float64 loops and these kernels through the ops on webgpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL, BIAS_GELU_KERNEL, FUSED_KERNEL_COVERS, LAYER_NORM_KERNEL } from './fused-kernels';
import { randomFloats, relativeError, runOn, valueAndGradients } from './spec-helpers';

/** webgpu's kernels (f32 on the GPU, other summation orders) vs wasm's (float64 row sums). */
export const TOLERANCE = { webgpu: 1e-4, wasm: 1e-5 } as const;
type FusedBackend = keyof typeof TOLERANCE;

export interface FusedCase {
  readonly name: string;
  /** Float inputs by name: shape, scale and offset of the seeded values; gradients flow to all. */
  readonly floats: Readonly<Record<string, { readonly shape: number[]; readonly scale?: number; readonly offset?: number }>>;
  /** Constant int32 inputs (no gradient). */
  readonly ints?: Readonly<Record<string, { readonly shape: number[]; readonly values: number[] }>>;
  readonly kernel: string;
  readonly attrs: tf.NamedAttrMap;
  readonly reference: (x: Record<string, tf.Tensor>) => tf.Tensor;
}

/** The case's seeded float inputs (in `c.floats` order) and its int inputs by name; call inside a tidy. */
function seededInputs(c: FusedCase): { xs: tf.Tensor[]; ints: Record<string, tf.Tensor> } {
  const xs = Object.values(c.floats).map(({ shape, scale = 1, offset = 0 }, i) => tf.add(tf.mul(tf.tensor(randomFloats(tf.util.sizeFromShape(shape), 100 + i), shape), scale), offset));
  const ints = Object.fromEntries(Object.entries(c.ints ?? {}).map(([n, v]) => [n, tf.tensor(v.values, v.shape, 'int32')]));
  return { xs, ints };
}

/** The kernel's inputs by name: the ints and `floats` (in `c.floats` order). */
function named(c: FusedCase, ints: Record<string, tf.Tensor>, floats: tf.Tensor[]): Record<string, tf.Tensor> {
  return { ...ints, ...Object.fromEntries(Object.keys(c.floats).map((n, i) => [n, floats[i] as tf.Tensor])) };
}

/** The kernel's value and gradients on `backend` (cpu: the reference's), on seeded inputs. */
function valueAndGrads(c: FusedCase, backend: 'cpu' | FusedBackend): Promise<Float32Array[]> {
  return valueAndGradients(backend, c.name, () => {
    const { xs, ints } = seededInputs(c);
    const f = (...inputs: tf.Tensor[]) => {
      const all = named(c, ints, inputs);
      return backend !== 'cpu' ? (tf.engine().runKernel(c.kernel, all, c.attrs) as tf.Tensor) : c.reference(all);
    };
    return { xs, f };
  });
}

/** The kernel's forward value and the reference's, both computed on wasm from the case's seeded inputs (no leak allowed). */
export function kernelAndReferenceOnWasm(c: FusedCase): Promise<[Float32Array, Float32Array]> {
  return runOn('wasm', () =>
    tf.tidy(() => {
      const { xs, ints } = seededInputs(c);
      const all = named(c, ints, xs);
      const kernel = tf.engine().runKernel(c.kernel, all, c.attrs) as tf.Tensor;
      return [kernel.dataSync() as Float32Array, c.reference(all).dataSync() as Float32Array];
    }),
  );
}

/** The FUSED_KERNEL_COVERS predicate `backend`'s kernel carries (fused-kernels.ts); throws if it has none. */
export function kernelCovers(kernel: string, backend: FusedBackend): (shapes: Record<string, number[]>, attrs: tf.NamedAttrMap) => boolean {
  const covers = (tf.getKernel(kernel, backend)?.kernelFunc as unknown as Record<symbol, ((s: Record<string, number[]>, a: tf.NamedAttrMap) => boolean) | undefined> | undefined)?.[FUSED_KERNEL_COVERS];
  if (covers === undefined) throw new Error(`${kernel} on ${backend}: no FUSED_KERNEL_COVERS predicate`);
  return covers;
}

/** Relative errors (value, then one per float input) of the fused kernel on `backend` against the reference; throws over its tolerance. */
export async function expectFusedMatchesReference(c: FusedCase, backend: FusedBackend = 'webgpu', tolerance: number = TOLERANCE[backend]): Promise<number[]> {
  const ref = await valueAndGrads(c, 'cpu');
  const got = await valueAndGrads(c, backend);
  const labels = ['value', ...Object.keys(c.floats).map((n) => `d${n}`)];
  const errors = got.map((g, i) => relativeError(g, ref[i] as Float32Array));
  const text = errors.map((e, i) => `${labels[i]} ${e.toExponential(2)}`).join(', ');
  if (!errors.every((e) => e < tolerance)) throw new Error(`${c.name}: ${text}`);
  return errors;
}

/** The references, as @rewardkit/ops writes them. */
export function attentionReference(x: Record<string, tf.Tensor>, width: number, heads: number): tf.Tensor {
  const q = x.q as tf.Tensor2D;
  const [N, C] = q.shape;
  const T = width;
  const B = N / T;
  const D = C / heads;
  const split = (t: tf.Tensor, perm: number[]) => tf.transpose(tf.reshape(t, [B, T, heads, D]), perm);
  const lengths = tf.reshape(x.lengths as tf.Tensor, [B, 1, 1]);
  const i = tf.reshape(tf.range(0, T, 1, 'int32'), [1, T, 1]);
  const j = tf.reshape(tf.range(0, T, 1, 'int32'), [1, 1, T]);
  const bias = tf.reshape(tf.where(tf.logicalAnd(tf.lessEqual(j, i), tf.less(j, lengths)), tf.scalar(0), tf.scalar(-1e9)), [B, 1, T, T]);
  const logits = tf.add(tf.mul(tf.matMul(split(q, [0, 2, 1, 3]), split(x.k as tf.Tensor, [0, 2, 3, 1])), 1 / Math.sqrt(D)), bias);
  const y = tf.transpose(tf.matMul(tf.softmax(logits), split(x.v as tf.Tensor, [0, 2, 1, 3])), [0, 2, 1, 3]);
  return tf.reshape(y, [N, C]);
}

export function layerNormReference(x: Record<string, tf.Tensor>, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x.x as tf.Tensor, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x.x as tf.Tensor, mean), tf.rsqrt(tf.add(variance, eps))), x.gamma as tf.Tensor), x.beta as tf.Tensor);
}

export function biasGeluReference(x: Record<string, tf.Tensor>, activation: 'gelu' | 'gelu_new'): tf.Tensor {
  const z = tf.add(x.x as tf.Tensor, x.bias as tf.Tensor);
  if (activation === 'gelu') return tf.mul(tf.mul(z, 0.5), tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1));
  return tf.mul(z, tf.sigmoid(tf.mul(tf.add(z, tf.mul(tf.mul(tf.mul(z, z), z), 0.044715)), 2 * Math.sqrt(2 / Math.PI))));
}

/** The cases each backend's spec runs, built one way for both. */

/** Attention over B rows of width T, H heads of D dims, the given lengths (1..T). */
export function attentionCase(B: number, T: number, H: number, D: number, lengths: number[]): FusedCase {
  const C = H * D;
  return {
    name: `B=${B} T=${T} H=${H} D=${D} lengths ${lengths}`,
    floats: { q: { shape: [B * T, C], scale: 2 }, k: { shape: [B * T, C], scale: 2 }, v: { shape: [B * T, C] } },
    ints: { lengths: { shape: [B], values: lengths } },
    kernel: ATTENTION_KERNEL,
    attrs: { width: T, heads: H },
    reference: (x) => attentionReference(x, T, H),
  };
}

/** The same with q, k, v packed as c_attn's [B*T, 3C] output; the gradient is c_attn's too. */
export function packedAttentionCase(B: number, T: number, H: number, D: number, lengths: number[]): FusedCase {
  const C = H * D;
  return {
    name: `packed qkv: B=${B} T=${T} H=${H} D=${D} lengths ${lengths}`,
    floats: { qkv: { shape: [B * T, 3 * C], scale: 2 } },
    ints: { lengths: { shape: [B], values: lengths } },
    kernel: ATTENTION_PACKED_KERNEL,
    attrs: { width: T, heads: H },
    reference: (x) => {
      const [q, k, v] = tf.split(x.qkv as tf.Tensor, 3, 1);
      return attentionReference({ q, k, v, lengths: x.lengths as tf.Tensor }, T, H) as tf.Tensor;
    },
  };
}

/** x of `shape` (values offset from 0, as a residual stream is), gamma and beta over its last axis. */
export function layerNormCase(shape: number[], eps: number, offset = 0.5): FusedCase {
  const C = shape[shape.length - 1] as number;
  return {
    name: `x [${shape}]${offset === 0.5 ? '' : ` + ${offset}`}, eps ${eps}`,
    floats: { x: { shape, scale: 3, offset }, gamma: { shape: [C], offset: 1 }, beta: { shape: [C] } },
    kernel: LAYER_NORM_KERNEL,
    attrs: { eps },
    reference: (x) => layerNormReference(x, eps),
  };
}

/** x [N, F] spread over [-scale, scale] (both tails of gelu at 3-4), bias [F]. */
export function biasGeluCase(N: number, F: number, activation: 'gelu' | 'gelu_new', scale: number): FusedCase {
  return {
    name: `${activation}, x [${N}, ${F}] in [-${scale}, ${scale}]`,
    floats: { x: { shape: [N, F], scale }, bias: { shape: [F] } },
    kernel: BIAS_GELU_KERNEL,
    attrs: { activation },
    reference: (x) => biasGeluReference(x, activation),
  };
}
