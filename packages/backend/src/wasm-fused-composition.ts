/**
 * The fused layer norm and bias + GELU on wasm where their SIMD kernels do not apply (exact erf
 * 'gelu', widths that are not a multiple of 4): the same values computed by wasm's own kernels
 * in the unfused composition, run from inside our kernel (tfjs records no tape at kernel depth > 0).
 *
 * Why: the JavaScript loops these shapes fell back to cost ~8 ns an element against 1-2 for
 * XNNPACK's vectorised elementwise kernels, so the fused kernel was ~2x slower than not fusing
 * (review 2026-12-01, /tmp/rv/time-gelu.ts: bias + erf GELU [8192, 256] fwd + bwd 263 ms fused
 * vs 122 ms composition). Forwards are @rewardkit/ops's references (layer-norm.ts,
 * bias-gelu.ts); backwards are their derivatives written out from the saved inputs. The numbers
 * are those of the reference composition up to float32 rounding.
 *
 * @rewardkit/ops's layerNorm and biasGelu do not even call the kernel for these shapes (the
 * kernels' FUSED_KERNEL_COVERS predicate declines them) and run the reference, whose autodiff
 * keeps the forward's erf where this backward computes it again: erf gelu [8192, 256] fwd + bwd
 * measured 1.3-1.5x slower here than through the op's reference (2026-12-01). This stays for
 * direct runKernel calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from './wasm-kernel-patch';

const C_TANH = 2 * Math.sqrt(2 / Math.PI);
const A = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export type GeluActivation = 'gelu_new' | 'gelu';

/** Runs `f` on Tensors over the kernel's inputs (same data, one more reference each, released after). */
function composed<T extends tf.Tensor | tf.Tensor[]>(wasm: BackendWasm, infos: tf.TensorInfo[], f: (...ts: tf.Tensor[]) => T): T {
  return tf.tidy(() =>
    f(
      ...infos.map((i) => {
        wasm.incRef(i.dataId); // the wrapper's dispose at the end of the tidy gives it back
        return tf.engine().makeTensorFromTensorInfo(i, wasm);
      }),
    ),
  );
}

/** gelu(x + bias) in wasm's elementwise kernels. */
export function biasGeluComposed(wasm: BackendWasm, x: tf.TensorInfo, bias: tf.TensorInfo, activation: GeluActivation): tf.Tensor {
  return composed(wasm, [x, bias], (xt, bt) => {
    const z = tf.add(xt, bt);
    if (activation === 'gelu') return tf.mul(tf.mul(z, 0.5), tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1));
    return tf.mul(z, tf.sigmoid(tf.mul(tf.add(z, tf.mul(tf.mul(tf.mul(z, z), z), A)), C_TANH)));
  });
}

/**
 * dz = dy gelu'(x + bias):
 *   gelu_new: s + z s (1 - s) c (1 + 3 a z^2), s = sigmoid(c (z + a z^3))
 *   gelu:     0.5 (1 + erf(z / sqrt 2)) + z exp(-z^2 / 2) / sqrt(2 pi)
 */
export function biasGeluGradComposed(wasm: BackendWasm, x: tf.TensorInfo, bias: tf.TensorInfo, dy: tf.TensorInfo, activation: GeluActivation): tf.Tensor {
  return composed(wasm, [x, bias, dy], (xt, bt, dyt) => {
    const z = tf.add(xt, bt);
    const z2 = tf.square(z);
    if (activation === 'gelu') {
      const cdf = tf.mul(tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1), 0.5);
      const pdf = tf.mul(tf.exp(tf.mul(z2, -0.5)), INV_SQRT_2PI);
      return tf.mul(dyt, tf.add(cdf, tf.mul(z, pdf)));
    }
    const s = tf.sigmoid(tf.mul(tf.mul(z, tf.add(tf.mul(z2, A), 1)), C_TANH));
    const slope = tf.mul(tf.mul(tf.mul(z, s), tf.sub(1, s)), tf.mul(tf.add(tf.mul(z2, 3 * A), 1), C_TANH));
    return tf.mul(dyt, tf.add(s, slope));
  });
}

/** (x - mean) rsqrt(var + eps) gamma + beta over the last axis, as tf.moments computes var. */
export function layerNormComposed(wasm: BackendWasm, x: tf.TensorInfo, gamma: tf.TensorInfo, beta: tf.TensorInfo, eps: number): tf.Tensor {
  return composed(wasm, [x, gamma, beta], (xt, gt, bt) => {
    const { mean, variance } = tf.moments(xt, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(xt, mean), tf.rsqrt(tf.add(variance, eps))), gt), bt);
  });
}

/** [dx, dgamma, dbeta]; xhat = (x - mean) rstd, g = dy gamma: dx = rstd (g - mean(g) - xhat mean(g xhat)). */
export function layerNormGradComposed(wasm: BackendWasm, x: tf.TensorInfo, gamma: tf.TensorInfo, dy: tf.TensorInfo, eps: number): tf.Tensor[] {
  return composed(wasm, [x, gamma, dy], (xt, gt, dyt) => {
    const C = xt.shape[xt.shape.length - 1] as number;
    const { mean, variance } = tf.moments(xt, -1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(xt, mean), rstd);
    const g = tf.mul(dyt, gt);
    const dx = tf.mul(rstd, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))));
    const rows: [number, number] = [-1, C];
    const dgamma = tf.sum(tf.reshape(tf.mul(dyt, xhat), rows), 0);
    const dbeta = tf.sum(tf.reshape(dyt, rows), 0);
    return [dx, dgamma, dbeta];
  });
}
