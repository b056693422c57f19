export { ranking, RankingConfigSchema, evaluateRanking, type RankingConfig } from './ranking.plugin';
export { kendallTauB } from './kendall-tau';
export { register } from './register';
