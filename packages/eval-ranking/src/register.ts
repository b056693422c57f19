import type { PluginRegistry } from '@rewardkit/core';
import { ranking } from './ranking.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(ranking);
}
