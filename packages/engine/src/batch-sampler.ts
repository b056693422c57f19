import { Rng } from '@rewardkit/core';

export interface SamplerState {
  readonly epoch: number;
  /** Batches already taken from this epoch. */
  readonly cursor: number;
}

export interface BatchSamplerOptions {
  readonly size: number;
  readonly batchSize: number;
  readonly seed: number;
  /**
   * Per-item lengths: when given, each epoch groups items of similar length into the same batch
   * (sorted within windows of 50 batches, then the batch order shuffled) to cut padding.
   */
  readonly lengths?: ArrayLike<number>;
}

const BUCKET_WINDOW = 50;

/**
 * Seeded, resumable batches of item indices. An epoch's order is a pure function of
 * (seed, epoch), so the state is just (epoch, cursor). The last partial batch of an epoch is
 * dropped so every step sees exactly `batchSize` items.
 */
export class BatchSampler {
  private epoch = 0;
  private cursor = 0;
  private batches: number[][] = [];

  constructor(private readonly opts: BatchSamplerOptions) {
    if (opts.size < opts.batchSize) {
      throw new RangeError(`batch size ${opts.batchSize} exceeds the ${opts.size} training items`);
    }
    this.batches = this.epochBatches(0);
  }

  get batchesPerEpoch(): number {
    return Math.floor(this.opts.size / this.opts.batchSize);
  }

  next(): number[] {
    if (this.cursor >= this.batches.length) {
      this.epoch++;
      this.cursor = 0;
      this.batches = this.epochBatches(this.epoch);
    }
    return this.batches[this.cursor++];
  }

  state(): SamplerState {
    return { epoch: this.epoch, cursor: this.cursor };
  }

  restore(state: SamplerState): void {
    this.epoch = state.epoch;
    this.cursor = state.cursor;
    this.batches = this.epochBatches(state.epoch);
  }

  private epochBatches(epoch: number): number[][] {
    const { size, batchSize, seed, lengths } = this.opts;
    const rng = new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
    const order = rng.shuffle(Array.from({ length: size }, (_, i) => i));
    const batches: number[][] = [];
    if (lengths) {
      const window = batchSize * BUCKET_WINDOW;
      for (let w = 0; w + batchSize <= order.length; w += window) {
        const chunk = order.slice(w, Math.min(order.length, w + window)).sort((x, y) => lengths[x] - lengths[y] || x - y);
        for (let i = 0; i + batchSize <= chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
      }
      rng.shuffle(batches);
    } else {
      for (let i = 0; i + batchSize <= order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    }
    return batches;
  }
}
