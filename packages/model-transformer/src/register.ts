import type { PluginRegistry } from '@rewardkit/core';
import { transformerModel } from './transformer.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(transformerModel);
}
