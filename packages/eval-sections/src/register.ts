import type { PluginRegistry } from '@rewardkit/core';
import { sections } from './sections.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(sections);
}
