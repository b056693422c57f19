/**
 * GPT-2's forward pass as pure functions of weights and constant inputs: token + learned position
 * embeddings, pre-LayerNorm blocks (causal multi-head self-attention, then a 4x GELU MLP, each
 * added back to the residual stream), and a final LayerNorm. Only ops with gradients on every
 * backend: matMul, transpose, reshape, slice/split, softmax, moments, sigmoid/erf, elementwise
 * arithmetic, and gather with a scatter-add gradient (embedding-lookup.ts).
 * Activations stay [B*T, C] between blocks so every linear layer is one 2-D matMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import { biasGelu, CAUSAL_ATTENTION_PACKED_KERNEL, causalAttentionPacked, hasFusedKernel, layerNorm as fusedLayerNorm, paddedCausalBias } from '@rewardkit/ops';
import { embeddingLookup } from './embedding-lookup';
import type { Gpt2Activation, Gpt2Architecture } from './gpt2-architecture';

export interface LayerNormWeights {
  readonly weight: tf.Tensor1D;
  readonly bias: tf.Tensor1D;
}

export interface LinearWeights {
  /** [in, out]: Conv1D layout, applied as x @ W. */
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

export interface BlockWeights {
  readonly ln1: LayerNormWeights;
  readonly attn: LinearWeights;
  readonly attnProj: LinearWeights;
  readonly ln2: LayerNormWeights;
  readonly fc: LinearWeights;
  readonly proj: LinearWeights;
}

export interface Gpt2Weights {
  readonly wte: tf.Tensor2D;
  readonly wpe: tf.Tensor2D;
  readonly blocks: readonly BlockWeights[];
  readonly lnF: LayerNormWeights;
  /** [1, C] */
  readonly score: tf.Tensor2D;
}

/** The constant inputs as tensors (see batch-inputs.ts). */
export interface ForwardInputs {
  readonly rows: number;
  readonly width: number;
  /** [B*T] token ids: rows of `wte`, or of `tokenRows` when given */
  readonly ids: Int32Array;
  /**
   * Row-sparse training: the [U, C] rows of wte the step gathered, looked up in its place (`ids`
   * then index these rows), so the embedding gradient is [U, C] rather than [V, C].
   */
  readonly tokenRows?: tf.Tensor2D;
  /** [B, 1, T, T] additive mask, broadcast over heads; absent where attention runs fused (built on the device if needed). */
  readonly attentionBias?: tf.Tensor4D;
  /** [B] int32 sequence lengths: what the fused attention kernel masks with. */
  readonly lengths: tf.Tensor1D;
}

/** Applies dropout at a named site, or returns x unchanged outside training. */
export type Dropout = <T extends tf.Tensor>(x: T, site: string) => T;

export const noDropout: Dropout = (x) => x;

/** @rewardkit/ops's layer norm: one fused kernel on webgpu, moments/rsqrt ops elsewhere. */
export function layerNorm<T extends tf.Tensor>(x: T, w: LayerNormWeights, eps: number): T {
  return fusedLayerNorm(x, w.weight, w.bias, eps);
}

/** 2 sqrt(2/pi): 0.5 (1 + tanh(z)) = sigmoid(2z). */
const TWO_SQRT_2_OVER_PI = 2 * Math.sqrt(2 / Math.PI);

export function gelu<T extends tf.Tensor>(x: T, activation: Gpt2Activation): T {
  if (activation === 'gelu') return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T;
  // gelu_new, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written as x sigmoid(2 z): the same
  // function, and wasm's sigmoid is vectorised (6x faster than its tanh on [4096, 512]).
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), TWO_SQRT_2_OVER_PI);
  return tf.mul(x, tf.sigmoid(inner)) as T;
}

function linear(x: tf.Tensor2D, w: LinearWeights): tf.Tensor2D {
  return tf.add(tf.matMul(x, w.weight), w.bias); // [N, out]
}

/** Causal multi-head self-attention of one block: [B*T, C] -> [B*T, C]. */
function attention(x: tf.Tensor2D, blk: BlockWeights, inp: ForwardInputs, arch: Gpt2Architecture, dropout: Dropout): tf.Tensor2D {
  const { rows: B, width: T } = inp;
  const H = arch.nHead;
  const D = arch.nEmbd / H;
  if (dropout === noDropout && hasFusedKernel(CAUSAL_ATTENTION_PACKED_KERNEL)) {
    // webgpu: one matMul for q, k, v and one kernel reading them in place: no split, no [B, H, T, T]
    // tensor, no mask (attention dropout needs the unfused path)
    const qkv = linear(x, blk.attn); // [B*T, 3C]
    return linear(causalAttentionPacked(qkv, inp.lengths, { width: T, heads: H }), blk.attnProj); // [B*T, C]
  }
  // c_attn packs the q, k and v projections as column blocks. Splitting the [C, 3C] weight rather
  // than the [B*T, 3C] output keeps the big split off the step (cpu's strided slice is slow).
  const weights = tf.split(blk.attn.weight, 3, 1) as tf.Tensor2D[]; // 3 x [C, C]
  const biases = tf.split(blk.attn.bias, 3) as tf.Tensor1D[]; // 3 x [C]
  const [q, k, v] = weights.map((weight, i) => linear(x, { weight, bias: biases[i] })); // 3 x [B*T, C]
  const heads = (t: tf.Tensor2D, perm: number[]) => tf.transpose(tf.reshape(t, [B, T, H, D]), perm);
  const qh = heads(q, [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, D]
  const kt = heads(k, [0, 2, 3, 1]) as tf.Tensor4D; // [B, H, D, T]: plain matMul, no transpose flag
  const vh = heads(v, [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, D]
  const bias = inp.attentionBias ?? paddedCausalBias(inp.lengths, T); // [B, 1, T, T]
  const logits = tf.add(tf.mul(tf.matMul(qh, kt), 1 / Math.sqrt(D)), bias); // [B, H, T, T]
  const probs = dropout(tf.softmax(logits), 'attn'); // [B, H, T, T]
  const y = tf.transpose(tf.matMul(probs, vh), [0, 2, 1, 3]); // [B, T, H, D]
  return dropout(linear(tf.reshape(y, [B * T, H * D]), blk.attnProj), 'resid'); // [B*T, C]
}

function mlp(x: tf.Tensor2D, blk: BlockWeights, arch: Gpt2Architecture, dropout: Dropout): tf.Tensor2D {
  const h = biasGelu(tf.matMul(x, blk.fc.weight), blk.fc.bias, arch.activation); // [B*T, 4C]; one kernel on webgpu
  return dropout(linear(h, blk.proj), 'resid'); // [B*T, C]
}

/** Embeddings and all blocks, before the final LayerNorm: [B*T, C]. */
export function gpt2Trunk(w: Gpt2Weights, inp: ForwardInputs, arch: Gpt2Architecture, dropout: Dropout): tf.Tensor2D {
  const { rows: B, width: T } = inp;
  const C = arch.nEmbd;
  const tokens = tf.reshape(embeddingLookup(inp.tokenRows ?? w.wte, inp.ids), [B, T, C]); // [B, T, C]
  const positions = tf.slice(w.wpe, [0, 0], [T, C]); // [T, C], broadcast over rows
  let x = dropout(tf.reshape(tf.add(tokens, positions), [B * T, C]), 'embd') as tf.Tensor2D; // [B*T, C]
  for (const blk of w.blocks) {
    x = tf.add(x, attention(layerNorm(x, blk.ln1, arch.layerNormEps), blk, inp, arch, dropout));
    x = tf.add(x, mlp(layerNorm(x, blk.ln2, arch.layerNormEps), blk, arch, dropout));
  }
  return x;
}

/**
 * Reward at each row's last real token: pool the residual stream with a constant one-hot mask
 * (a gradient-safe gather), then apply ln_f and the bias-free head to B vectors instead of B*T.
 * ln_f acts per position, so pooling first gives the same numbers.
 */
export function scoreAtLastToken(
  trunk: tf.Tensor2D,
  lastToken: tf.Tensor3D,
  w: Gpt2Weights,
  inp: ForwardInputs,
  arch: Gpt2Architecture,
): tf.Tensor1D {
  const x = tf.reshape(trunk, [inp.rows, inp.width, arch.nEmbd]); // [B, T, C]
  const pooled = tf.sum(tf.mul(x, lastToken), 1) as tf.Tensor2D; // [B, C]; lastToken is [B, T, 1]
  const h = layerNorm(pooled, w.lnF, arch.layerNormEps); // [B, C]
  return tf.sum(tf.mul(h, w.score), 1) as tf.Tensor1D; // [B]
}

/**
 * A reward per position, pooled: r_b = sum_t weights[b, t] * (score . ln_f(x_bt)). ln_f runs at
 * every position (not after pooling, which would normalise the length signal away).
 */
export function scoreOverResponse(
  trunk: tf.Tensor2D,
  weights: tf.Tensor2D,
  w: Gpt2Weights,
  inp: ForwardInputs,
  arch: Gpt2Architecture,
): tf.Tensor1D {
  const h = layerNorm(trunk, w.lnF, arch.layerNormEps); // [B*T, C]
  const perToken = tf.reshape(tf.matMul(h, w.score, false, true), [inp.rows, inp.width]); // [B, T]
  return tf.sum(tf.mul(perToken, weights), 1) as tf.Tensor1D; // [B]
}
