import type { PluginRegistry } from '@rewardkit/core';
import { parquetData } from './parquet.plugin';

/** Registers this package's plugins: data/parquet. */
export function register(registry: PluginRegistry): void {
  registry.register(parquetData);
}
