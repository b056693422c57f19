export { rewardStats, RewardStatsConfigSchema, evaluateRewardStats, type RewardStatsConfig } from './reward-stats.plugin';
export { register } from './register';
