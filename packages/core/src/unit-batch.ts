/**
 * A training shard as the replica takes it: its units packed so that every response is ONE row
 * (scored once per step, however many pairs it belongs to), plus per-unit ranks. The pairs a
 * loss sees are gathers of those rows (`pairIndex`). This is also what travels on the wire, so
 * the expansion to pairs is written once, here, and both ends compute the same one.
 */
import { packSequences, unitSequences, type EncodedUnit, type SequenceBatch } from './sequence-batch';

export interface UnitBatch {
  /** [m] rows: unit u's responses are rows offsets[u] .. offsets[u+1]-1, in the record's order. */
  readonly batch: SequenceBatch;
  /** [u+1] row offsets of the units. */
  readonly offsets: Int32Array;
  /** [m] rank of each row within its unit, 0 = best; equal ranks are tied. */
  readonly ranks: Int32Array;
  /** [u] the unit's required reward gap (a pair record's `margin`, else 0). */
  readonly margins: Float32Array;
  /** [u] the unit's annotated strength (0 where none). */
  readonly strengths: Float32Array;
}

/** The pairs a shard's units expand to, as row indices into its batch and per-pair fields. */
export interface PairIndex {
  /** [n] row of the better response (for a tie: the first in the record). */
  readonly better: Int32Array;
  /** [n] row of the other response. */
  readonly worse: Int32Array;
  /** [n] required gap: the unit's margin for a strict pair, 0 for a tied one. */
  readonly margins: Float32Array;
  /** [n] 1 for a tied pair, else 0. */
  readonly ties: Float32Array;
  /** [n] the unit's strength (0 for a tied pair). */
  readonly strengths: Float32Array;
  /** [n] the pair's share of its unit: 1 / C(K, 2) (1 for a pair record). */
  readonly weights: Float32Array;
  /** Strict (non-tied) pairs: the unit of accuracy. */
  readonly strict: number;
}

/** Packs units (in order) with every response once: rows are right-padded to the longest. */
export function packUnits(units: readonly EncodedUnit[], padId: number): UnitBatch {
  const seqs: Int32Array[] = [];
  const prompts: number[] = [];
  const ranks: number[] = [];
  const offsets = new Int32Array(units.length + 1);
  const margins = new Float32Array(units.length);
  const strengths = new Float32Array(units.length);
  units.forEach((u, i) => {
    const s = unitSequences(u);
    for (let k = 0; k < s.seqs.length; k++) {
      seqs.push(s.seqs[k] as Int32Array);
      prompts.push(u.promptLength);
      ranks.push(s.ranks[k]);
    }
    offsets[i + 1] = seqs.length;
    margins[i] = 'margin' in u ? u.margin : 0;
    strengths[i] = 'strength' in u ? (u.strength ?? 0) : 0;
  });
  return { batch: packSequences(seqs, prompts, padId), offsets, ranks: Int32Array.from(ranks), margins, strengths };
}

/** Number of units in a packed shard. */
export function unitCount(u: Pick<UnitBatch, 'offsets'>): number {
  return u.offsets.length - 1;
}

/**
 * Every pair (i < j) of every unit once, unit by unit: the better response first (record order
 * for a tie). A pair record is exactly one pair, weight 1.
 */
export function pairIndex(u: Pick<UnitBatch, 'offsets' | 'ranks' | 'margins' | 'strengths'>): PairIndex {
  const units = unitCount(u);
  let n = 0;
  for (let k = 0; k < units; k++) {
    const K = u.offsets[k + 1] - u.offsets[k];
    n += (K * (K - 1)) / 2;
  }
  const better = new Int32Array(n);
  const worse = new Int32Array(n);
  const margins = new Float32Array(n);
  const ties = new Float32Array(n);
  const strengths = new Float32Array(n);
  const weights = new Float32Array(n);
  let p = 0;
  let strict = 0;
  for (let k = 0; k < units; k++) {
    const [lo, hi] = [u.offsets[k], u.offsets[k + 1]];
    const K = hi - lo;
    const w = 2 / (K * (K - 1));
    for (let i = lo; i < hi; i++) {
      for (let j = i + 1; j < hi; j++, p++) {
        const tie = u.ranks[i] === u.ranks[j];
        const swap = u.ranks[j] < u.ranks[i];
        better[p] = swap ? j : i;
        worse[p] = swap ? i : j;
        ties[p] = tie ? 1 : 0;
        margins[p] = tie ? 0 : u.margins[k];
        strengths[p] = tie ? 0 : u.strengths[k];
        weights[p] = w;
        if (!tie) strict++;
      }
    }
  }
  return { better, worse, margins, ties, strengths, weights, strict };
}
