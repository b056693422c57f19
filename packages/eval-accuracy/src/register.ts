import type { PluginRegistry } from '@rewardkit/core';
import { accuracy } from './accuracy.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(accuracy);
}
