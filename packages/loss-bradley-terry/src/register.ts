import type { PluginRegistry } from '@rewardkit/core';
import { bradleyTerry } from './bradley-terry.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(bradleyTerry);
}
