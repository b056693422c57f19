import type { PluginRegistry } from '@rewardkit/core';
import { hinge } from './hinge.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(hinge);
}
