import type { PluginRegistry } from '@rewardkit/core';
import { rewardStats } from './reward-stats.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(rewardStats);
}
