import { loadPluginPackages, PluginRegistry } from '@rewardkit/core';
import { register as registerJsonl } from '@rewardkit/data-jsonl';
import { register as registerParquet } from '@rewardkit/data-parquet';
import { register as registerAccuracy } from '@rewardkit/eval-accuracy';
import { register as registerCalibration } from '@rewardkit/eval-calibration';
import { register as registerDataHealth } from '@rewardkit/eval-data-health';
import { register as registerLengthBias } from '@rewardkit/eval-length-bias';
import { register as registerRanking } from '@rewardkit/eval-ranking';
import { register as registerRewardStats } from '@rewardkit/eval-reward-stats';
import { register as registerSections } from '@rewardkit/eval-sections';
import { register as registerBradleyTerry } from '@rewardkit/loss-bradley-terry';
import { register as registerBradleyTerryTies } from '@rewardkit/loss-bradley-terry-ties';
import { register as registerHinge } from '@rewardkit/loss-hinge';
import { register as registerPlackettLuce } from '@rewardkit/loss-plackett-luce';
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
    registerBradleyTerryTies,
    registerHinge,
    registerPlackettLuce,
    registerAccuracy,
    registerRewardStats,
    registerCalibration,
    registerLengthBias,
    registerRanking,
    registerSections,
    registerDataHealth,
  ]) {
    register(registry);
  }
  loadPluginPackages(externalPackages, registry, fromDir);
  return registry;
}
