/**
 * The fused kernels behind @rewardkit/ops's causalAttention, layerNorm, biasGelu and
 * bradleyTerryLossSum, and their
 * gradients. The names repeat packages/ops/src/fused-kernel-names.ts (the backend may not import
 * ops). tfjs keys a gradient by kernel name, not by backend, so one registration here serves every
 * backend that implements a forward and its `...Grad` kernel (webgpu-*.ts, the opt-in wasm-*.ts):
 * each gradient calls the grad kernel of whichever backend is active.
 */
import * as tf from '@tensorflow/tfjs-core';

export const ATTENTION_KERNEL = 'RewardkitCausalAttention';
/** Attention reading q, k, v in place from c_attn's packed [B*T, 3C] output. */
export const ATTENTION_PACKED_KERNEL = 'RewardkitCausalAttentionPacked';
/** Backward of both: [dq, dk, dv] (for the packed form, c_attn's three column blocks). */
export const ATTENTION_GRAD_KERNEL = 'RewardkitCausalAttentionGrad';
export const LAYER_NORM_KERNEL = 'RewardkitLayerNorm';
/** Backward: [dx, dgamma, dbeta]. */
export const LAYER_NORM_GRAD_KERNEL = 'RewardkitLayerNormGrad';
export const BIAS_GELU_KERNEL = 'RewardkitBiasGelu';
/** Backward: dz, the gradient of x + bias. */
export const BIAS_GELU_GRAD_KERNEL = 'RewardkitBiasGeluGrad';

/**
 * Bradley-Terry loss head: inputs rChosen, rRejected, margins, weights (all [n]; margins and
 * weights may be placeholders the kernel ignores: attrs hasMargins/hasWeights), attrs
 * labelSmoothing; output [1], the weighted loss sum.
 */
export const BT_LOSS_KERNEL = 'RewardkitBradleyTerryLoss';
/** Backward: [dChosen, dRejected] (one dispatch on webgpu). */
export const BT_LOSS_GRAD_KERNEL = 'RewardkitBradleyTerryLossGrad';

/**
 * Under this symbol a forward kernelFunc carries (shapes, attrs) => whether it runs that call
 * fused; @rewardkit/ops's ops run their reference composition otherwise (its FUSED_KERNEL_COVERS).
 */
export const FUSED_KERNEL_COVERS = Symbol.for('rewardkit.fusedKernelCovers');

/** The fused forward kernels and their backward kernels. */
export const FUSED_KERNEL_NAMES = [
  ATTENTION_KERNEL,
  ATTENTION_PACKED_KERNEL,
  ATTENTION_GRAD_KERNEL,
  LAYER_NORM_KERNEL,
  LAYER_NORM_GRAD_KERNEL,
  BIAS_GELU_KERNEL,
  BIAS_GELU_GRAD_KERNEL,
  BT_LOSS_KERNEL,
  BT_LOSS_GRAD_KERNEL,
] as const;

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.engine().runKernel(name, inputs, attrs);

/** Registers the fused forwards' gradients once per process; idempotent. */
export function registerFusedGradients(): void {
  if (tf.getGradient(ATTENTION_PACKED_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: ATTENTION_PACKED_KERNEL,
      inputsToSave: ['qkv', 'lengths'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [qkv, lengths, y] = saved;
        const grads = run(ATTENTION_GRAD_KERNEL, { qkv, y, dy: dy as tf.Tensor, lengths }, { ...attrs, packed: true } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return { qkv: () => tf.concat(grads, 1) }; // [B*T, 3C], c_attn's column blocks
      },
    });
  }
  if (tf.getGradient(ATTENTION_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: ATTENTION_KERNEL,
      inputsToSave: ['q', 'k', 'v', 'lengths'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [q, k, v, lengths, y] = saved;
        const [dq, dk, dv] = run(ATTENTION_GRAD_KERNEL, { q, k, v, y, dy: dy as tf.Tensor, lengths }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return { q: () => dq, k: () => dk, v: () => dv };
      },
    });
  }
  if (tf.getGradient(LAYER_NORM_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: LAYER_NORM_KERNEL,
      inputsToSave: ['x', 'gamma', 'beta'],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma, beta] = saved;
        const [dx, dgamma, dbeta] = run(LAYER_NORM_GRAD_KERNEL, { x, gamma, beta, dy: dy as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
      },
    });
  }
  if (tf.getGradient(BIAS_GELU_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: BIAS_GELU_KERNEL,
      inputsToSave: ['x', 'bias'],
      gradFunc: (dy, saved, attrs) => {
        const [x, bias] = saved;
        const dz = run(BIAS_GELU_GRAD_KERNEL, { x, bias, dy: dy as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        return { x: () => dz, bias: () => tf.sum(dz, 0) };
      },
    });
  }
  if (tf.getGradient(BT_LOSS_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: BT_LOSS_KERNEL,
      inputsToSave: ['rChosen', 'rRejected', 'margins', 'weights'],
      gradFunc: (dy, saved, attrs) => {
        const [rChosen, rRejected, margins, weights] = saved;
        const inputs: tf.NamedTensorMap = { rChosen, rRejected, dy: dy as tf.Tensor };
        if (attrs.hasMargins) inputs.margins = margins;
        if (attrs.hasWeights) inputs.weights = weights;
        const [dChosen, dRejected] = run(BT_LOSS_GRAD_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        // margins and weights are data; their gradients (built only when asked) for completeness
        return {
          rChosen: () => dChosen,
          rRejected: () => dRejected,
          margins: () => tf.neg(dChosen),
          weights: () => tf.mul(btPerPair(rChosen, rRejected, attrs.hasMargins ? margins : undefined, attrs.labelSmoothing as number), dy as tf.Tensor),
        };
      },
    });
  }
}

/** Per-pair Bradley-Terry losses softplus(-d) + eps d, in tfjs ops (the weights' gradient). */
function btPerPair(rChosen: tf.Tensor, rRejected: tf.Tensor, margins: tf.Tensor | undefined, eps: number): tf.Tensor {
  let d = tf.sub(rChosen, rRejected);
  if (margins) d = tf.sub(d, margins);
  return tf.add(tf.softplus(tf.neg(d)), tf.mul(d, eps));
}
