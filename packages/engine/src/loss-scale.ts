/**
 * Dynamic loss scaling for a half-precision compute path (as PyTorch's GradScaler and Micikevicius et
 * al., "Mixed Precision Training"): the loss is multiplied by `scale` before backward so small
 * gradients do not flush to zero in f16, and the gradient is divided by it before the update. When
 * the (all-reduced) gradient holds an Inf or NaN, the step is skipped and the scale halved; after
 * `growthInterval` finite steps in a row it doubles. Every rank decides from the same summed buffer
 * (Inf and NaN survive the all-reduce, on either wire), so replicas skip the same steps.
 *
 * Wired into Replica (precision 'f16', run config `train.precision`): the replica scales the loss
 * sum, and instead of dividing the gradient in place it checks it (`gradientsFinite`) and folds
 * the scale into the divisor the parameter store already divides by (count * scale), so unscaling
 * costs no pass over the gradient. The state travels in checkpoints (state.json `lossScale`).
 */

/**
 * The replica's starting scale: 2^12, not PyTorch's 2^16, because rewardkit differentiates the loss
 * SUM over a shard (the divisor comes after the all-reduce), whose gradients are already ~batch
 * times those of a mean; 2^16 overflowed f16 twice in the first 12 steps of a batch-16 run of the
 * default transformer on lavapipe (docs/gpu.md).
 */
export const SUM_LOSS_INIT_SCALE = 2 ** 12;

export interface LossScaleOptions {
  /** Starting scale; default 2^16. */
  readonly initScale?: number;
  /** Multiplier after `growthInterval` finite steps; default 2. */
  readonly growthFactor?: number;
  /** Multiplier after a non-finite step; default 0.5. */
  readonly backoffFactor?: number;
  /** Finite steps in a row before growing; default 1000. */
  readonly growthInterval?: number;
  /** Bounds the scale never leaves; default [1, 2^24]. */
  readonly minScale?: number;
  readonly maxScale?: number;
}

export interface LossScaleState {
  readonly scale: number;
  readonly goodSteps: number;
}

export class DynamicLossScale {
  private scaleNow: number;
  private good = 0;
  private readonly growth: number;
  private readonly backoff: number;
  private readonly interval: number;
  private readonly min: number;
  private readonly max: number;

  constructor(opts: LossScaleOptions = {}) {
    this.growth = opts.growthFactor ?? 2;
    this.backoff = opts.backoffFactor ?? 0.5;
    this.interval = opts.growthInterval ?? 1000;
    this.min = opts.minScale ?? 1;
    this.max = opts.maxScale ?? 2 ** 24;
    this.scaleNow = opts.initScale ?? 2 ** 16;
    if (!(this.growth > 1 && this.backoff > 0 && this.backoff < 1 && Number.isInteger(this.interval) && this.interval >= 1)) {
      throw new RangeError(`loss scale: growthFactor must be > 1, backoffFactor in (0, 1), growthInterval a whole number >= 1`);
    }
    if (!(this.min > 0 && this.min <= this.scaleNow && this.scaleNow <= this.max)) {
      throw new RangeError(`loss scale: need 0 < minScale <= initScale <= maxScale, got ${this.min}, ${this.scaleNow}, ${this.max}`);
    }
  }

  /** What to multiply the loss by this step. */
  get scale(): number {
    return this.scaleNow;
  }

  /**
   * After each step: `finite` is whether the summed, scaled gradient held no Inf or NaN
   * (`gradientsFinite`). Returns whether the step had to be skipped.
   */
  update(finite: boolean): { readonly skipped: boolean } {
    if (!finite) {
      this.scaleNow = Math.max(this.min, this.scaleNow * this.backoff);
      this.good = 0;
      return { skipped: true };
    }
    this.good++;
    if (this.good >= this.interval) {
      this.scaleNow = Math.min(this.max, this.scaleNow * this.growth);
      this.good = 0;
    }
    return { skipped: false };
  }

  /** For checkpoints: a resumed run continues with the same scale and streak. */
  state(): LossScaleState {
    return { scale: this.scaleNow, goodSteps: this.good };
  }

  restore(s: LossScaleState): void {
    if (!(s.scale >= this.min && s.scale <= this.max && Number.isInteger(s.goodSteps) && s.goodSteps >= 0)) {
      throw new RangeError(`loss scale: cannot restore scale ${s.scale} with ${s.goodSteps} good steps (bounds [${this.min}, ${this.max}])`);
    }
    this.scaleNow = s.scale;
    this.good = s.goodSteps;
  }
}

/** Whether `grad[0, count)` is all finite: the check a scaled step makes before its update. */
export function gradientsFinite(grad: Float32Array, count = grad.length): boolean {
  let acc = 0;
  // 0 * g is 0 for finite g and NaN for Inf or NaN; one sum, one test (no branch per element)
  for (let i = 0; i < count; i++) acc += 0 * grad[i];
  return acc === 0;
}
