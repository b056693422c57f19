import { loadPluginPackages, PluginRegistry } from '@rewardkit/core';
import { register as registerJsonl } from '@rewardkit/data-jsonl';
import { register as registerParquet } from '@rewardkit/data-parquet';
import { register as registerAccuracy } from '@rewardkit/eval-accuracy';
import { register as registerBradleyTerry } from '@rewardkit/loss-bradley-terry';
import { register as registerBag } from '@rewardkit/model-bag';
import { register as registerTransformer } from '@rewardkit/model-transformer';
import { register as registerTokenizers } from '@rewardkit/tokenizers';

/**
 * A registry holding every plugin rewardkit ships, plus the external plugin packages a run
 * config names (`plugins: ["@acme/rm-loss-focal"]`, resolved from `fromDir`).
 */
export function createShippedRegistry(externalPackages: readonly string[] = [], fromDir?: string): PluginRegistry {
  const registry = new PluginRegistry();
  for (const register of [
    registerJsonl,
    registerParquet,
    registerTokenizers,
    registerBag,
    registerTransformer,
    registerBradleyTerry,
    registerAccuracy,
  ]) {
    register(registry);
  }
  loadPluginPackages(externalPackages, registry, fromDir);
  return registry;
}
