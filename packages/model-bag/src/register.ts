import type { PluginRegistry } from '@rewardkit/core';
import { bagOfEmbeddings } from './bag-of-embeddings.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(bagOfEmbeddings);
}
