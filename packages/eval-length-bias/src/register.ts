import type { PluginRegistry } from '@rewardkit/core';
import { lengthBias } from './length-bias.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(lengthBias);
}
