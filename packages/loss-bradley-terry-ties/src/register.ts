import type { PluginRegistry } from '@rewardkit/core';
import { bradleyTerryTies } from './bradley-terry-ties.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(bradleyTerryTies);
}
