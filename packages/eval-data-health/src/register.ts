import type { PluginRegistry } from '@rewardkit/core';
import { dataHealth } from './data-health.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(dataHealth);
}
