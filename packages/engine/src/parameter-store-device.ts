import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@rewardkit/core';
import type { AdamWState } from './adamw';
import { flatAdamW, hasFusedAdamW } from './device-adamw';
import type { ParameterLayout } from './parameter-layout';
import { maxFlatElements, PARAMETER_STORE_ENV, type ParameterSnapshot, type ParameterStore, type StoreConfig } from './parameter-store';

/**
 * Parameters and AdamW moments as flat float32 tensors on the backend's device; the update runs
 * there (one fused kernel on webgpu, tfjs ops elsewhere) and the model's variables are refreshed
 * by slicing the flat parameters on the device. Nothing is read back unless asked (`snapshot`).
 *
 * The arithmetic is that of `HostParameterStore` in float32 throughout (the host store accumulates
 * the clipping norm in float64 and does its scalar maths in float64): the two agree to ~1e-7
 * relative per step, not bit for bit, so a run must not switch stores mid-way and expect
 * bit-identical results (a resume is exact within one store kind).
 */
export class DeviceParameterStore implements ParameterStore {
  readonly kind = 'device' as const;
  private theta: tf.Tensor1D;
  private m: tf.Tensor1D;
  private v: tf.Tensor1D;
  /** [P] 0 frozen, 1 trainable, 2 trainable + decayed; uploaded once. */
  private readonly codes: tf.Tensor1D;
  /** [P] 1 where trainable, for the norm; only when some range is frozen. */
  private readonly trainMask?: tf.Tensor1D;
  private t = 0;

  constructor(
    readonly layout: ParameterLayout,
    private readonly cfg: StoreConfig,
  ) {
    const limit = maxFlatElements();
    if (layout.size > limit) {
      throw new ConfigError(
        `the device parameter store keeps ${layout.size} parameters in flat float32 buffers of ${layout.size * 4} bytes; ` +
          `this adapter binds at most ${limit * 4} bytes to a shader: use the host store (store 'host', or ${PARAMETER_STORE_ENV}=host)`,
      );
    }
    this.theta = layout.concatValues();
    this.m = tf.zeros([layout.size]);
    this.v = tf.zeros([layout.size]);
    const codes = layout.codes();
    this.codes = tf.tensor1d(codes);
    if (layout.frozen.length > 0) this.trainMask = tf.tensor1d(codes.map((c) => (c > 0 ? 1 : 0)));
  }

  get fused(): boolean {
    return hasFusedAdamW();
  }

  update(grad: Float32Array | tf.Tensor1D, count: number, lr: number): tf.Tensor1D {
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.cfg;
    const P = this.layout.size;
    const g = grad instanceof Float32Array ? tf.tensor1d(grad.subarray(0, P)) : grad; // the one upload of a summed buffer
    this.t++;
    const normSq = tf.tidy(() => tf.reshape(tf.sum(tf.square(this.trainMask ? tf.mul(g, this.trainMask) : g)), [1]) as tf.Tensor1D);
    const next = flatAdamW(
      { theta: this.theta, m: this.m, v: this.v, grad: g, codes: this.codes, normSq },
      { lr, beta1, beta2, eps, decay: 1 - lr * weightDecay, bc1: 1 - beta1 ** this.t, bc2: 1 - beta2 ** this.t, count, clipNorm },
    );
    const norm = tf.tidy(() => tf.div(tf.sqrt(normSq), count) as tf.Tensor1D);
    tf.dispose([this.theta, this.m, this.v, normSq]);
    if (g !== grad) g.dispose();
    ({ theta: this.theta, m: this.m, v: this.v } = next);
    this.layout.assignFlat(this.theta);
    return norm;
  }

  async parameters(): Promise<Float32Array> {
    return Float32Array.from((await this.theta.data()) as Float32Array); // tfjs caches what it read: a copy
  }

  async snapshot(): Promise<ParameterSnapshot> {
    const [theta, m, v] = await Promise.all([this.theta.data(), this.m.data(), this.v.data()]);
    // Copies: tfjs caches what it read; the caller may keep or mutate these.
    return { theta: Float32Array.from(theta as Float32Array), optimizer: { t: this.t, m: Float32Array.from(m as Float32Array), v: Float32Array.from(v as Float32Array) } };
  }

  restore(state: { readonly theta?: Float32Array; readonly optimizer?: AdamWState }): void {
    const P = this.layout.size;
    const check = (what: string, a: Float32Array) => {
      if (a.length !== P) throw new Error(`DeviceParameterStore.restore: ${what} holds ${a.length} values, the model has ${P}`);
    };
    if (state.theta) {
      check('theta', state.theta);
      this.theta.dispose();
      this.theta = tf.tensor1d(state.theta.slice()); // a copy: a cpu tensor would alias the caller's buffer
      this.layout.assignFlat(this.theta);
    }
    if (state.optimizer) {
      const { t, m, v } = state.optimizer;
      check('m', m);
      check('v', v);
      tf.dispose([this.m, this.v]);
      this.m = tf.tensor1d(m.slice());
      this.v = tf.tensor1d(v.slice());
      this.t = t;
    }
  }

  dispose(): void {
    tf.dispose([this.theta, this.m, this.v, this.codes]);
    if (this.trainMask) this.trainMask.dispose();
  }
}
