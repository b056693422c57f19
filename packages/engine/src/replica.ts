import * as tf from '@tensorflow/tfjs-core';
import type { LossFn, RewardModel, SequenceBatch } from '@rewardkit/core';
import { AdamW, type AdamWConfig } from './adamw';
import { clipGradNorm } from './clip-grad-norm';
import { ParameterLayout } from './parameter-layout';

/** Statistics that ride at the end of the gradient buffer, so one all-reduce sums them too. */
const STATS = ['lossSum', 'correct', 'pairs'] as const;

export interface ReplicaConfig extends AdamWConfig {
  readonly clipNorm: number;
}

export interface StepOutcome {
  /** Mean loss over the global batch. */
  readonly loss: number;
  /** Share of the global batch with r(chosen) > r(rejected) (ties 0.5), before the update. */
  readonly accuracy: number;
  readonly pairs: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Where this rank's time went: gradients + update, and the all-reduce (0 for one worker). */
  readonly computeMs?: number;
  readonly allreduceMs?: number;
}

/**
 * One process's copy of the model and optimizer. A step is two halves with an all-reduce
 * between them:
 *   1. `computeGradients(shard)`: gradient of this shard's loss SUM, flattened, plus its stats;
 *   2. (the caller sums the buffers over ranks)
 *   3. `applyUpdate(summed, lr)`: divide by the global pair count, clip, AdamW, write weights.
 * Because losses are sums and the divisor is global, N replicas compute what 1 would.
 */
export class Replica {
  readonly layout: ParameterLayout;
  readonly optimizer: AdamW;
  /** Master copy of the parameters (float32), updated in place. */
  readonly theta: Float32Array;
  /** Gradient buffer: parameters, then STATS. Reused every step. */
  readonly buffer: Float32Array;

  constructor(
    readonly model: RewardModel,
    private readonly loss: LossFn,
    private readonly cfg: ReplicaConfig,
  ) {
    this.layout = new ParameterLayout(model.parameters);
    this.optimizer = new AdamW(cfg, this.layout);
    this.theta = this.layout.read();
    this.buffer = new Float32Array(this.layout.size + STATS.length);
  }

  /**
   * Fills `buffer` with d(lossSum)/d(theta) for `batch` (rows [0, n) chosen, [n, 2n) rejected)
   * and the shard's stats. An empty shard contributes zeros.
   */
  computeGradients(batch: SequenceBatch, margins: Float32Array, step?: number): Float32Array {
    const n = margins.length;
    const P = this.layout.size;
    if (n === 0) {
      this.buffer.fill(0);
      return this.buffer;
    }
    let scores: tf.Tensor1D | undefined;
    const vars = this.model.parameters.map((p) => p.variable);
    const { value, grads } = tf.variableGrads(() => {
      const r = this.model.score(batch, { training: true, step }); // [2n]
      scores = tf.keep(r);
      const rChosen = tf.slice(r, [0], [n]) as tf.Tensor1D;
      const rRejected = tf.slice(r, [n], [n]) as tf.Tensor1D;
      return this.loss({ rChosen, rRejected, margins: tf.tensor1d(margins) }).lossSum;
    }, vars);
    this.layout.flattenGrads(grads, this.buffer);
    const r = scores!.dataSync();
    let correct = 0;
    for (let i = 0; i < n; i++) correct += r[i] > r[n + i] ? 1 : r[i] === r[n + i] ? 0.5 : 0;
    this.buffer[P] = value.dataSync()[0];
    this.buffer[P + 1] = correct;
    this.buffer[P + 2] = n;
    value.dispose();
    scores!.dispose();
    tf.dispose(grads);
    return this.buffer;
  }

  /** `summed` is the all-reduced buffer (sum over ranks). Updates theta and the model. */
  applyUpdate(summed: Float32Array, lr: number): StepOutcome {
    const P = this.layout.size;
    const pairs = summed[P + 2];
    if (!(pairs > 0)) throw new Error('applyUpdate: the global batch holds no pairs');
    const grad = summed.subarray(0, P);
    for (let i = 0; i < P; i++) grad[i] /= pairs;
    for (const [a, b] of this.layout.frozen) grad.fill(0, a, b); // rounding residue, not signal
    const gradNorm = clipGradNorm(grad, this.cfg.clipNorm);
    this.optimizer.step(this.theta, grad, lr);
    this.layout.write(this.theta);
    return { loss: summed[P] / pairs, accuracy: summed[P + 1] / pairs, pairs, gradNorm };
  }

  /**
   * One whole optimizer step: gradients of this shard, the sum over ranks, the update. The one
   * entry point every caller uses (in-process, worker processes, bench), so where tensors live
   * (host or device) is decided here alone. `allReduce` sums the buffer over ranks in place;
   * absent for a world of one, where nothing needs to leave the device.
   */
  async trainStep(
    batch: SequenceBatch,
    margins: Float32Array,
    at: { readonly step: number; readonly lr: number },
    allReduce?: (buf: Float32Array) => Promise<void>,
  ): Promise<StepOutcome> {
    const t0 = performance.now();
    const grads = this.computeGradients(batch, margins, at.step);
    const t1 = performance.now();
    if (allReduce) await allReduce(grads);
    const t2 = performance.now();
    const out = this.applyUpdate(grads, at.lr);
    return { ...out, computeMs: t1 - t0 + (performance.now() - t2), allreduceMs: t2 - t1 };
  }

  /** Replaces parameters (and optionally optimizer state) e.g. from a checkpoint. */
  load(theta: Float32Array): void {
    this.theta.set(theta);
    this.layout.write(this.theta);
  }
}
