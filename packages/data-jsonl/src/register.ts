import type { PluginRegistry } from '@rewardkit/core';
import { jsonlData } from './jsonl.plugin';

/** Registers this package's plugins: data/jsonl. */
export function register(registry: PluginRegistry): void {
  registry.register(jsonlData);
}
