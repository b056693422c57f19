/**
 * An exponential moving average of the parameters (Polyak averaging), for held-out evaluation and
 * export: the trained weights jitter around a basin with the last steps' batches; their average
 * sits nearer its centre.
 *
 * Bias-corrected like Adam's moments: with m_0 = 0 and m_t = d m_{t-1} + (1 - d) theta_t, the
 * average is m_t / (1 - d^t), so step t weighs (1 - d) d^(T-t) / (1 - d^T) and the start's random
 * weights weigh nothing (a plain EMA from theta_0 keeps d^T of them: 13% at d = 0.99 after 207
 * steps). It is updated in place as
 *   avg_t = k_t avg_{t-1} + (1 - k_t) theta_t,   k_t = d (1 - d^(t-1)) / (1 - d^t)   (k_1 = 0).
 *
 * The average is kept in float32, each update computed in float64 and rounded once, so that a
 * checkpoint (float32 safetensors) holds it exactly and a resumed run continues bit for bit.
 * Every replica holds identical parameters after every step, so every replica's average is
 * identical too: N workers average what 1 would.
 */
export interface WeightAverageState {
  /** Updates folded in so far (t). */
  readonly updates: number;
  /** The bias-corrected average, in layout order. */
  readonly average: Float32Array;
}

export class WeightAverage {
  readonly average: Float32Array;
  private t = 0;

  constructor(
    readonly decay: number,
    size: number,
  ) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`WeightAverage: decay must be in (0, 1), got ${decay}`);
    this.average = new Float32Array(size);
  }

  get updates(): number {
    return this.t;
  }

  /** The old average's weight at update t (1-based). */
  static keep(decay: number, t: number): number {
    return t <= 1 ? 0 : (decay * (1 - decay ** (t - 1))) / (1 - decay ** t);
  }

  /** Folds in the parameters after one optimizer step. */
  update(theta: Float32Array): void {
    if (theta.length < this.average.length) throw new RangeError(`WeightAverage.update: ${theta.length} parameters, the average holds ${this.average.length}`);
    this.t++;
    const k = WeightAverage.keep(this.decay, this.t);
    const a = this.average;
    for (let i = 0; i < a.length; i++) a[i] = k * a[i] + (1 - k) * theta[i];
  }

  state(): WeightAverageState {
    return { updates: this.t, average: Float32Array.from(this.average) };
  }

  restore(state: WeightAverageState): void {
    if (state.average.length !== this.average.length) {
      throw new RangeError(`WeightAverage.restore: ${state.average.length} values for an average of ${this.average.length} parameters`);
    }
    this.t = state.updates;
    this.average.set(state.average);
  }
}
