/**
 * Sum's and Mean's gradients without a host-made tensor of ones.
 *
 * tfjs-core 4.22 writes both as `dy (reshaped) * ones(x.shape)`: `ones` builds a Float32Array of
 * x's full size on the host, which webgpu then uploads, every step, for every reduction on the
 * tape. Found with the step profile's upload count: in a tiny-preset step the transformer's
 * last-token pooling (mask multiply, then a sum over [B, T, C]) and a sum over [B, C] uploaded
 * 8 KB; at GPT-2 small's 16 x 512 x 768 the same pooling uploads 25 MB of ones a step. Here the
 * gradient is `broadcastTo(dy reshaped, x.shape)` (webgpu: one Tile dispatch, no upload), the
 * same values bit for bit (multiplying by 1 is exact; Mean's division by the reduced size is kept
 * as is). Registered on tfjs's one gradient registry, so every backend takes it.
 */
import * as tf from '@tensorflow/tfjs-core';

const OURS = Symbol.for('rewardkit.backend.reduceGradients');

/** dy [reduced] reshaped to x's rank with 1 on the reduced axes. */
function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

/** Registers both gradients in place of tfjs's; idempotent. */
export function registerReduceGradients(): void {
  const registry = globalThis as { [OURS]?: true };
  if (registry[OURS] && tf.getGradient('Sum')?.gradFunc === sumGrad) return;
  tf.registerGradient({ kernelName: 'Sum', inputsToSave: ['x'], gradFunc: sumGrad });
  tf.registerGradient({ kernelName: 'Mean', inputsToSave: ['x'], gradFunc: meanGrad });
  registry[OURS] = true;
}

function sumGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const [x] = saved as [tf.Tensor];
  return { x: () => tf.broadcastTo(expandedDy(dy as tf.Tensor, x, attrs.axis as number | number[]), x.shape) };
}

function meanGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const [x] = saved as [tf.Tensor];
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const reduceSize = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
  return { x: () => tf.div(tf.broadcastTo(expandedDy(dy as tf.Tensor, x, axes), x.shape), reduceSize) };
}
