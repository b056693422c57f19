// The scorer's public API: the typed client, and the server for embedding it in another process.
export { ScorerClient, ScorerHttpError, type ScoreRequest } from './client';
export { buildScorer, SCORER_DEFAULTS, type ScorerOptions, type RewardStats } from './server';
export { loadScorer, type LoadScorerOptions, type LoadedScorer } from './load-scorer';
