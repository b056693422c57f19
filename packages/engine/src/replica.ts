import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, createLogger, lossInput, pairIndex, unitCount, type GatheredRows, type LossFn, type PairIndex, type RewardModel, type UnitBatch } from '@rewardkit/core';
import type { AdamW } from './adamw';
import { DynamicLossScale, gradientsFinite, SUM_LOSS_INIT_SCALE, type LossScaleOptions } from './loss-scale';
import { ParameterLayout } from './parameter-layout';
import { resolveStoreKind, type ParameterSnapshot, type ParameterStore, type StoreChoice, type StoreConfig } from './parameter-store';
import { DeviceParameterStore } from './parameter-store-device';
import { HostParameterStore } from './parameter-store-host';
import { DEFAULT_BUCKET_BYTES, readGradients } from './parameter-store-transfer';
import { OverlappedGradientReads, reduceBuckets, setGradientReadOverlap } from './gradient-overlap';
import { RowSparseGradients, type RowSparseMode } from './row-sparse';

const log = createLogger('replica');

/**
 * Statistics that ride at the end of the gradient buffer, so one all-reduce sums them too.
 * `count` is the loss's own unit count (LossOutput.count: pairs for Bradley-Terry, other units for
 * other losses): the divisor of loss and gradient. `pairs` (strict pairs: ties excluded) is the
 * unit of accuracy.
 */
const STATS = ['lossSum', 'correct', 'pairs', 'count'] as const;
/** Floats at the end of every gradient buffer (STATS): they must sum exactly (a bf16 wire's exactTail). */
export const GRADIENT_STATS = STATS.length;

export interface ReplicaConfig extends StoreConfig {
  /** Where parameters and AdamW live: `auto` (default) is the device on webgpu, the host elsewhere. */
  readonly store?: StoreChoice;
  /** Device store with several workers: gradients are read back in buckets of this many bytes. */
  readonly bucketBytes?: number;
  /**
   * Embedding tables (RewardModel.rowsUsed): 'rows' takes their gradient over the rows the global
   * batch uses only wherever a step reads gradients back (the host store; the device store with
   * several workers): the same gradient as 'off', summed in another order on rings of 3+ workers; 'lazy' also updates only those rows
   * (SparseAdam semantics, other results; host store only, refused with the device store).
   * Default 'off'. See row-sparse.ts.
   */
  readonly sparseEmbedding?: RowSparseMode;
  /**
   * 'f16': the backend computes matMuls and attention with half-precision operands (the caller
   * turns that on: @rewardkit/backend's useComputePrecision), so the loss is scaled dynamically
   * (loss-scale.ts) to keep small gradients from flushing to zero. Default 'f32': no scaling.
   */
  readonly precision?: 'f32' | 'f16';
  /** The dynamic loss scaler's options (with precision 'f16'). */
  readonly lossScale?: LossScaleOptions;
}

export interface StepOutcome {
  /** Mean loss over the global batch (loss sum / global count). */
  readonly loss: number;
  /**
   * Share of the global batch's strict pairs with r(better) > r(worse) (equal rewards 0.5), before
   * the update; NaN when the batch holds only annotated ties.
   */
  readonly accuracy: number;
  /** Strict pairs in the global batch (annotated ties excluded). */
  readonly pairs: number;
  /** The loss's global count (its divisor); equals `pairs` for Bradley-Terry. */
  readonly count: number;
  /** Global gradient norm before clipping (NaN for a skipped step). */
  readonly gradNorm: number;
  /** f16 only: the summed gradient held Inf/NaN at this step's loss scale, so no update was made (every rank alike). */
  readonly skipped?: boolean;
  /** f16 only: the loss scale this step's gradient was taken at (a skip halves it for the next step). */
  readonly lossScale?: number;
  /** Where this rank's time went: gradients + update, and the all-reduce (0 for one worker). */
  readonly computeMs?: number;
  readonly allreduceMs?: number;
}

/** One shard's backward pass, still on the device. */
interface ShardGradients {
  readonly grads: tf.NamedTensorMap;
  readonly lossSum: tf.Scalar;
  /** [m] one reward per row of the shard. */
  readonly scores: tf.Tensor1D;
  /** [n] each pair's two rewards, the loss input's gathers (the step's accuracy reuses them). */
  readonly pairRewards: readonly [tf.Tensor1D, tf.Tensor1D];
  readonly count: number;
}

/**
 * One process's copy of the model and optimizer. A step is two halves with an all-reduce
 * between them: the gradient of this shard's loss SUM with its stats, then (after the sum over
 * ranks) division by the global count, clipping and AdamW in the parameter store. Because losses
 * are sums and the divisor is global, N replicas compute what 1 would. Where parameters live is
 * the store's business (parameter-store.ts); `trainStep` is the one entry point for both.
 */
export class Replica {
  readonly layout: ParameterLayout;
  readonly store: ParameterStore;
  /** Gradient buffer: parameters, then STATS. Reused every step. */
  readonly buffer: Float32Array;
  private readonly bucketBytes: number;
  private readonly rowSparse?: RowSparseGradients;
  /** With precision 'f16': the loss scale (its state goes in checkpoints). */
  readonly lossScale?: DynamicLossScale;

  constructor(
    readonly model: RewardModel,
    private readonly loss: LossFn,
    cfg: ReplicaConfig,
  ) {
    // a loss's learned parameters (e.g. a tie parameter) train, all-reduce and checkpoint with the model's
    this.layout = new ParameterLayout([...model.parameters, ...(loss.parameters ?? [])]);
    this.store = resolveStoreKind(cfg.store, this.layout.size) === 'device' ? new DeviceParameterStore(this.layout, cfg) : new HostParameterStore(this.layout, cfg);
    this.buffer = new Float32Array(this.layout.size + STATS.length);
    this.bucketBytes = cfg.bucketBytes ?? DEFAULT_BUCKET_BYTES;
    // whatever the store, so every rank of a run lays its all-reduced buffers out alike (ranks may
    // resolve different stores); a world of one on the device store steps densely (deviceStepAlone)
    this.rowSparse = RowSparseGradients.create(this.layout, model, cfg.sparseEmbedding);
    if (this.rowSparse?.mode === 'lazy' && this.store.kind === 'device') {
      throw new ConfigError(
        "train.sparseEmbedding 'lazy' needs the host parameter store: the device store's AdamW updates every row of every table, " +
          "so lazy would silently train densely; use sparseEmbedding 'rows' (the default) or store 'host'",
      );
    }
    if (cfg.precision === 'f16') this.lossScale = new DynamicLossScale({ initScale: SUM_LOSS_INIT_SCALE, ...cfg.lossScale });
  }

  /** Master copy of the parameters (host store only; a device store answers `snapshot()`). */
  get theta(): Float32Array {
    return this.hostStore('theta').theta;
  }

  /** The JS optimizer (host store only; a device store answers `snapshot()` and `restore()`). */
  get optimizer(): AdamW {
    return this.hostStore('optimizer').optimizer;
  }

  /**
   * One whole optimizer step: gradients of this shard, the sum over ranks, the update. The one
   * entry point every caller uses (in-process, worker processes, bench), so where tensors live
   * (host or device) is decided here alone. `allReduce` sums the buffer over ranks in place;
   * absent for a world of one, where a device store reads back nothing but the step's stats.
   */
  async trainStep(
    units: UnitBatch,
    at: { readonly step: number; readonly lr: number },
    allReduce?: (buf: Float32Array) => Promise<void>,
  ): Promise<StepOutcome> {
    if (this.store.kind === 'device' && !allReduce) return this.deviceStepAlone(units, at);
    return this.bufferedStep(units, at, allReduce);
  }

  /** Parameters and optimizer state on the host (for checkpoints); reads a device store back. */
  snapshot(): Promise<ParameterSnapshot> {
    return this.store.snapshot();
  }

  /** Replaces parameters and/or optimizer state (a checkpoint) in whichever store is in use. */
  restore(state: Partial<ParameterSnapshot>): void {
    this.store.restore(state);
  }

  /** Frees what the store holds on the device (the model's variables stay: `model.dispose()`). */
  dispose(): void {
    this.store.dispose();
  }

  /** World of one on the device: the update runs from the gradients in place; one small read. */
  private async deviceStepAlone(units: UnitBatch, at: { step: number; lr: number }): Promise<StepOutcome> {
    const t0 = performance.now();
    if (unitCount(units) === 0) throw new Error('trainStep: the global batch holds no units');
    const index = pairIndex(units);
    const n = index.strict;
    const scale = this.lossScale?.scale ?? 1;
    const shard = this.backward(units, index, at.step);
    const flat = this.layout.concatGrads(shard.grads); // [P]
    const stats = shardStats(shard, index); // [lossSum, correct]
    tf.dispose(Object.values(shard.grads));
    if (this.lossScale && !(await this.deviceGradientFinite(flat, at.step))) {
      flat.dispose();
      const [lossSum, correct] = (await stats.data()) as Float32Array;
      stats.dispose();
      return this.outcome(lossSum, correct, n, shard.count, undefined, scale, performance.now() - t0, 0);
    }
    // the scale folds into the divisor: the store divides by count * scale once (no extra pass)
    const norm = this.store.update(flat, shard.count * scale, at.lr) as tf.Tensor1D;
    flat.dispose();
    const packed = tf.concat([stats, norm]);
    tf.dispose([stats, norm]);
    const [lossSum, correct, gradNorm] = (await packed.data()) as Float32Array;
    packed.dispose();
    return this.outcome(lossSum, correct, n, shard.count, gradNorm, scale, performance.now() - t0, 0);
  }

  /**
   * A step through the host buffer: the shard's gradient and stats are read back into one flat
   * buffer (concatenated on the device, one read per bucket), summed over ranks when there are
   * several, then the store updates (the host store in place; the device store uploads the sum
   * once). Asynchronous reads only, so it runs on webgpu too, where `dataSync` cannot.
   */
  private async bufferedStep(
    units: UnitBatch,
    at: { step: number; lr: number },
    allReduce?: (buf: Float32Array) => Promise<void>,
  ): Promise<StepOutcome> {
    const t0 = performance.now();
    const P = this.layout.size;
    const scale = this.lossScale?.scale ?? 1;
    if (this.store instanceof HostParameterStore) await this.store.ready();
    // row-sparse tables: the rows every rank works on this step, and the compact buffer they sum
    const rows = await this.rowSparse?.agree(unitCount(units) ? units.batch : undefined, allReduce);
    let summed = this.buffer;
    // copy/backward overlap with several ranks: the all-reduce goes bucket by bucket as reads land
    // (gradient-overlap.ts), on every rank, an empty shard's included, in the same order
    const overlap = !rows && setGradientReadOverlap();
    const perBucket = allReduce && overlap ? allReduce : undefined;
    let reducedMs: number | undefined;
    if (unitCount(units) === 0) {
      if (rows) summed = await this.rowSparse!.read(undefined, new Float32Array(STATS.length), rows);
      else this.buffer.fill(0);
      if (perBucket) reducedMs = await reduceBuckets(this.buffer, P, P + STATS.length, this.bucketBytes, perBucket);
    } else {
      const index = pairIndex(units);
      const n = index.strict;
      // everything made here is freed in `finally`, whatever throws (the gathered tables too)
      let gathered: Map<string, GatheredRows> | undefined;
      let shard: ShardGradients | undefined;
      let tail: tf.Tensor1D | undefined;
      try {
        gathered = rows && this.rowSparse!.gather(rows);
        // copy/backward overlap (gradient-overlap.ts): buckets start reading as the backward pass fills them
        const overlapped = overlap ? new OverlappedGradientReads(this.layout, this.buffer, STATS.length, this.bucketBytes) : undefined;
        shard = this.backward(units, index, at.step, gathered, overlapped);
        const stats = shardStats(shard, index);
        const count = shard.count;
        tail = tf.tidy(() => tf.concat([stats, tf.tensor1d([n, count])])) as tf.Tensor1D; // STATS
        stats.dispose();
        if (rows) summed = await this.rowSparse!.read(shard.grads, tail, rows);
        else if (overlapped) {
          const ms = await overlapped.finish(tail, perBucket);
          if (perBucket) reducedMs = ms;
        }
        else await readGradients(this.layout, shard.grads, tail, this.buffer, this.bucketBytes);
      } finally {
        tf.dispose([...(tail ? [tail] : []), ...Object.values(shard?.grads ?? {}), ...[...(gathered?.values() ?? [])].map((g) => g.table)]);
      }
    }
    const t1 = performance.now();
    if (allReduce && reducedMs === undefined) await allReduce(summed);
    if (rows) this.rowSparse!.expand(summed, rows, this.buffer);
    const ranges = rows && this.rowSparse!.updateRanges(rows); // where the sum can be nonzero; lazy: all AdamW touches
    const t2 = performance.now();
    const reduceMs = reducedMs ?? t2 - t1;
    const { pairs, count } = globalCounts(this.buffer, P);
    // f16: every rank decides from the same all-reduced buffer (Inf and NaN survive the sum), so all skip alike
    if (this.lossScale && !this.scaleAfter(gradientsFinite(this.buffer, P), at.step)) {
      return this.outcome(this.buffer[P]!, this.buffer[P + 1]!, pairs, count, undefined, scale, performance.now() - t0 - reduceMs, reduceMs);
    }
    // the scale folds into the divisor: the store divides by count * scale once (no extra pass)
    const norm = this.store.update(this.buffer, count * scale, at.lr, ranges);
    const gradNorm = typeof norm === 'number' ? norm : (await norm.data())[0];
    if (typeof norm !== 'number') norm.dispose();
    return this.outcome(this.buffer[P]!, this.buffer[P + 1]!, pairs, count, gradNorm, scale, performance.now() - t0 - reduceMs, reduceMs);
  }

  /** Forward and backward of one shard; everything it returns is the caller's to dispose. */
  /** `gathered`: row-sparse tables' rows, looked up in their place (their gradient is then [U, C]). */
  private backward(units: UnitBatch, index: PairIndex, step?: number, gathered?: ReadonlyMap<string, GatheredRows>, overlapped?: OverlappedGradientReads): ShardGradients {
    let scores: tf.Tensor1D | undefined;
    let pairRewards: [tf.Tensor1D, tf.Tensor1D] | undefined;
    let count = 0;
    let lossSum: tf.Scalar | undefined;
    const scale = this.lossScale?.scale;
    const vars = this.layout.parameters.map((p) => p.variable);
    const f = (): tf.Scalar => {
      const r = this.model.score(units.batch, { training: true, step, gatheredRows: gathered }); // [m]: every response once
      scores = tf.keep(r);
      const input = lossInput(r, units, index);
      pairRewards = [tf.keep(input.rChosen), tf.keep(input.rRejected)]; // no second index upload and gather for the accuracy
      const out = this.loss(input);
      count = out.count;
      if (scale === undefined) return out.lossSum;
      // f16: differentiate lossSum * scale (gradients scaled alike); the stats keep the true sum
      lossSum = tf.keep(out.lossSum);
      return tf.mul(out.lossSum, scale) as tf.Scalar;
    };
    const { value, grads } = gathered ? this.rowSparse!.gradients(f, gathered) : tf.variableGrads(overlapped ? overlapped.wrap(f, vars) : f, vars);
    if (lossSum === undefined) return { grads, lossSum: value, scores: scores!, pairRewards: pairRewards!, count };
    value.dispose();
    return { grads, lossSum, scores: scores!, pairRewards: pairRewards!, count };
  }

  /**
   * The loss scale's bookkeeping after a step's gradient was checked: false when the step must be
   * skipped (the scale was halved). Logged, since a run that skips often has a scale problem.
   */
  private scaleAfter(finite: boolean, step: number): boolean {
    const scaler = this.lossScale as DynamicLossScale;
    const before = scaler.scale;
    const { skipped } = scaler.update(finite);
    if (skipped) log.warn(`step ${step}: the f16 gradient overflowed (Inf/NaN) at loss scale ${before}: update skipped, scale now ${scaler.scale}`);
    return !skipped;
  }

  /**
   * A step's outcome from its global sums. `gradNorm` undefined: the step was skipped (an f16
   * overflow), so no norm. `lossScale` (f16 only): the scale the step's gradient was taken at.
   */
  private outcome(lossSum: number, correct: number, pairs: number, count: number, gradNorm: number | undefined, scale: number, computeMs: number, allreduceMs: number): StepOutcome {
    return {
      loss: lossSum / count,
      accuracy: correct / pairs,
      pairs,
      count,
      gradNorm: gradNorm ?? NaN,
      ...(gradNorm === undefined ? { skipped: true } : {}),
      ...(this.lossScale ? { lossScale: scale } : {}),
      computeMs,
      allreduceMs,
    };
  }

  /** World of one on the device: whether the gradient is finite (one scalar read, before the update). */
  private async deviceGradientFinite(flat: tf.Tensor1D, step: number): Promise<boolean> {
    // sum |g| is finite exactly when every g is (an overflow of the sum itself would need |g| ~ 1e38 / P)
    const total = tf.tidy(() => tf.sum(tf.abs(flat)));
    const [value] = (await total.data()) as Float32Array;
    total.dispose();
    return this.scaleAfter(Number.isFinite(value), step);
  }

  private hostStore(what: string): HostParameterStore {
    if (!(this.store instanceof HostParameterStore)) {
      throw new Error(`Replica.${what}: parameters live on the device (store '${this.store.kind}'); use await replica.snapshot() / replica.restore()`);
    }
    return this.store;
  }
}

/**
 * [lossSum, correct] of a shard on the device over its strict pairs (equal rewards count half),
 * disposing its loss, scores and pair rewards.
 */
function shardStats(shard: ShardGradients, index: PairIndex): tf.Tensor1D {
  const stats = tf.tidy(() => {
    const [rc, rr] = shard.pairRewards;
    const hit = tf.add(tf.cast(tf.greater(rc, rr), 'float32'), tf.mul(tf.cast(tf.equal(rc, rr), 'float32'), 0.5));
    // the strict-pair mask only where the shard holds annotated ties (no per-step upload otherwise)
    const correct = tf.sum(index.strict < index.ties.length ? tf.mul(hit, tf.tensor1d(index.ties.map((t) => 1 - t))) : hit);
    return tf.stack([shard.lossSum, correct]) as tf.Tensor1D;
  });
  tf.dispose([shard.lossSum, shard.scores, ...shard.pairRewards]);
  return stats;
}

/** The summed pair and loss counts at the end of an all-reduced buffer. */
function globalCounts(summed: Float32Array, P: number): { pairs: number; count: number } {
  const pairs = summed[P + 2];
  const count = summed[P + 3];
  if (!(count > 0)) throw new Error(`trainStep: the loss counted ${count} units over ${pairs} strict pairs (its divisor must be positive)`);
  return { pairs, count };
}
