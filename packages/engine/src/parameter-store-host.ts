import * as tf from '@tensorflow/tfjs-core';
import { AdamW, type AdamWState } from './adamw';
import type { ParameterLayout, UpdateRanges } from './parameter-layout';
import type { ParameterSnapshot, ParameterStore, StoreConfig } from './parameter-store';

/**
 * Parameters and moments as flat Float32Arrays, AdamW in plain JS: the same arithmetic on every
 * rank and backend (replicas stay bit-identical, resuming is exact). Every update reads the
 * gradient on the host and rewrites every variable: right for CPU backends, where "device" memory
 * is host memory anyway.
 */
export class HostParameterStore implements ParameterStore {
  readonly kind = 'host' as const;
  readonly fused = false;
  readonly optimizer: AdamW;
  /** Master copy of the parameters (float32), updated in place. */
  readonly theta: Float32Array;

  /** Set while theta is still being read from a backend without synchronous reads. */
  private loading?: Promise<void>;

  constructor(
    readonly layout: ParameterLayout,
    private readonly cfg: StoreConfig,
  ) {
    this.optimizer = new AdamW(cfg, layout);
    if (tf.getBackend() !== 'webgpu') this.theta = layout.read();
    else {
      // webgpu in Node cannot read synchronously: theta arrives before the first step (`ready`).
      this.theta = new Float32Array(layout.size);
      const loading: Promise<void> = layout.readAsync().then((t) => {
        if (this.loading !== loading) return; // a restore came first
        this.theta.set(t);
        this.loading = undefined;
      });
      this.loading = loading;
    }
  }

  /** Resolves once theta holds the model's initial parameters (at once where reads are synchronous). */
  async ready(): Promise<void> {
    await this.loading;
  }

  /**
   * `ranges` (row-sparse steps): the gradient is read only where it can be nonzero (`nonzero`:
   * the rest of `grad` must be zeros, or in lazy mode is not read at all) and AdamW updates
   * `update` (default: every trainable range). Absent: every trainable range for both.
   */
  update(grad: Float32Array | tf.Tensor1D, count: number, lr: number, ranges?: UpdateRanges): number {
    const P = this.layout.size;
    const g = grad instanceof Float32Array ? grad.subarray(0, P) : (grad.dataSync() as Float32Array).slice(0, P);
    for (const [a, b] of this.layout.frozen) g.fill(0, a, b); // rounding residue, not signal
    // One pass divides and sums squares (float64, in index order: frozen zeros add nothing), the
    // optimizer's pass applies the clip scale: what clipGradNorm's two passes then AdamW computed.
    let sq = 0;
    for (const { start, end } of ranges?.nonzero ?? this.layout.trainable) {
      for (let i = start; i < end; i++) {
        const x = Math.fround(g[i] / count); // the float32 the buffer holds
        g[i] = x;
        sq += x * x;
      }
    }
    const gradNorm = Math.sqrt(sq);
    const { clipNorm } = this.cfg;
    this.optimizer.step(this.theta, g, lr, gradNorm > clipNorm && gradNorm > 0 ? clipNorm / gradNorm : 1, ranges?.update);
    this.layout.write(this.theta);
    return gradNorm;
  }

  async parameters(): Promise<Float32Array> {
    await this.ready();
    return this.theta;
  }

  async snapshot(): Promise<ParameterSnapshot> {
    await this.ready();
    const { t, m, v } = this.optimizer.state();
    return { theta: Float32Array.from(this.theta), optimizer: { t, m: Float32Array.from(m), v: Float32Array.from(v) } };
  }

  restore(state: { readonly theta?: Float32Array; readonly optimizer?: AdamWState }): void {
    if (state.theta) {
      this.loading = undefined; // what is restored wins over an initial read still under way
      this.theta.set(state.theta);
      this.layout.write(this.theta);
    }
    if (state.optimizer) this.optimizer.restore(state.optimizer);
  }

  dispose(): void {}
}
