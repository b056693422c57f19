import type { SequenceBatch } from '@rewardkit/core';

/**
 * The sparse features the bag model pools, built outside the gradient tape (plain arrays):
 * for each row, the response's unigram ids (EOS included) and, optionally, hashed bigram ids
 * offset past the vocabulary, each weighted 1/n (a mean) or 1/sqrt(n) (sqrt pooling, which keeps
 * some of the evidence a longer response carries; measured better on HH-RLHF: 0.63 vs 0.60 for a
 * linear bag-of-words in numpy).
 */
export interface BagFeatures {
  /** [F] embedding row of each feature. */
  readonly ids: Int32Array;
  /** [F] pooling weight of each feature. */
  readonly weights: Float32Array;
  /** [F] batch row each feature belongs to. */
  readonly rows: Int32Array;
  readonly count: number;
}

export interface BagFeatureOptions {
  readonly vocabSize: number;
  /** Hashed bigram table size; 0 turns bigrams off. */
  readonly bigramBuckets: number;
  /** Pool the prompt's tokens too (otherwise only the response is seen). */
  readonly includePrompt: boolean;
  readonly pool: 'mean' | 'sqrt';
}

/** A cheap, stable hash of an ordered token pair (FNV-1a over the two ids). */
export function bigramBucket(a: number, b: number, buckets: number): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ (a & 0xffff), 0x01000193);
  h = Math.imul(h ^ (a >>> 16), 0x01000193);
  h = Math.imul(h ^ (b & 0xffff), 0x01000193);
  h = Math.imul(h ^ (b >>> 16), 0x01000193);
  return (h >>> 0) % buckets;
}

export function bagFeatures(batch: SequenceBatch, opts: BagFeatureOptions): BagFeatures {
  const ids: number[] = [];
  const rows: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < batch.rows; r++) {
    const base = r * batch.width;
    const start = opts.includePrompt ? 0 : batch.promptLengths[r];
    const end = batch.lengths[r];
    const first = ids.length;
    for (let t = start; t < end; t++) {
      ids.push(batch.ids[base + t]);
      if (opts.bigramBuckets > 0 && t > start) {
        ids.push(opts.vocabSize + bigramBucket(batch.ids[base + t - 1], batch.ids[base + t], opts.bigramBuckets));
      }
    }
    const n = ids.length - first;
    const w = opts.pool === 'mean' ? 1 / n : 1 / Math.sqrt(n);
    for (let i = 0; i < n; i++) {
      rows.push(r);
      weights.push(w);
    }
  }
  return { ids: Int32Array.from(ids), weights: Float32Array.from(weights), rows: Int32Array.from(rows), count: ids.length };
}
