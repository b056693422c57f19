import type { PluginRegistry } from '@rewardkit/core';
import { plackettLuce } from './plackett-luce.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(plackettLuce);
}
