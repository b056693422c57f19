// What pairwise loss plugins share: the ranking-expansion weighting and the count that goes with it.
export { RankingsModeSchema, type RankingsMode } from './rankings-mode';
export { pairCount, pairWeights, type ReduceOptions } from './pair-weights';
export { reducePairs } from './reduce-pairs';
export { strictCounts } from './strict-counts';
export { unitsInput, type UnitRewards } from './units-input';
