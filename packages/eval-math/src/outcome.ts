import type { PairScores, PreferencePair } from '@rewardkit/core';

/**
 * A pair the data marks as a tie (`tie: true`) has no winner, so it has no place in accuracy,
 * calibration or length-bias figures; a tie-aware evaluator scores those.
 */
export function isDataTie(pair: PreferencePair | undefined): boolean {
  return (pair as { tie?: unknown } | undefined)?.tie === true;
}

/** What one pair scores: 1 when the chosen response gets the higher reward, 0.5 for a tie (within `tolerance`), else 0. */
export function pairOutcome(chosen: number, rejected: number, tolerance = 0): number {
  const d = chosen - rejected;
  return Math.abs(d) <= tolerance ? 0.5 : d > 0 ? 1 : 0;
}

/** Indices of the pairs that have a winner (data ties left out), in order. */
export function decidedPairs(scores: PairScores): number[] {
  const out: number[] = [];
  for (let i = 0; i < scores.chosen.length; i++) if (!isDataTie(scores.pairs[i])) out.push(i);
  return out;
}
