import type { OptimizerRange, ParameterLayout } from './parameter-layout';

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export interface AdamWState {
  /** Updates applied so far (the bias-correction exponent). */
  readonly t: number;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/**
 * AdamW (Loshchilov & Hutter; PyTorch's formulation) over flat float32 buffers, in plain JS:
 * the update is the same arithmetic on every rank and backend, which keeps replicas identical
 * and makes resuming exact.
 */
export class AdamW {
  private t = 0;
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(
    private readonly cfg: AdamWConfig,
    private readonly layout: ParameterLayout,
  ) {
    this.m = new Float32Array(layout.size);
    this.v = new Float32Array(layout.size);
  }

  /**
   * theta <- theta * (1 - lr*wd) - lr * mhat / (sqrt(vhat) + eps), in place; frozen ranges
   * untouched. The gradient used is float32(grad * gradScale) (clipping folded in: the same value
   * a separate in-place scaling pass would store). Where the gradient and both moments are zero
   * (embedding rows no batch has reached yet: most of a 50k vocabulary) the update is exactly
   * theta * decay, so the square root and divisions are skipped with no change in any bit.
   * `ranges` (default: every trainable range) limits the update: lazy row-sparse training passes
   * only the rows a step used, and every other element keeps its value and moments (row-sparse.ts).
   */
  step(theta: Float32Array, grad: Float32Array, lr: number, gradScale = 1, ranges: readonly OptimizerRange[] = this.layout.trainable): void {
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const { m, v } = this;
    const scaled = gradScale !== 1;
    for (const range of ranges) {
      const decay = range.decay ? 1 - lr * weightDecay : 1;
      for (let i = range.start; i < range.end; i++) {
        const g = scaled ? Math.fround(grad[i] * gradScale) : grad[i];
        if (g === 0 && m[i] === 0 && v[i] === 0) {
          theta[i] = theta[i] * decay;
          continue;
        }
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        theta[i] = theta[i] * decay - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
      }
    }
  }

  state(): AdamWState {
    return { t: this.t, m: this.m, v: this.v };
  }

  restore(state: AdamWState): void {
    this.t = state.t;
    this.m.set(state.m);
    this.v.set(state.v);
  }
}
