/**
 * Every grid value is checked before any trial starts: the run config resolved with it (unknown
 * fields of the run config fail its strict schema), then the model, loss and tokenizer configs
 * parsed by their plugins (unknown fields of a plugin's config fail its schema). The error names
 * the --grid field and value, so a typo costs nothing instead of a failed trial an hour later.
 */
import { ConfigError, parsePluginConfig, RewardkitError, type RunConfig } from '@rewardkit/core';
import { createShippedRegistry } from '@rewardkit/runtime';
import type { Axis } from './sweep-grid';
import { resolveRunConfig, type LaunchOptions } from '../launch-options';

/** The values to try per axis: every listed one, or both ends of a range. */
function probeValues(axis: Axis): string[] {
  return axis.kind === 'list' ? [...axis.values] : [String(axis.low), String(axis.high)];
}

/** Resolves a trial's run config exactly as `trainer launch` would, plugin configs included. */
export function resolveTrialConfig(base: LaunchOptions, sets: readonly string[]): RunConfig {
  const cfg = resolveRunConfig({ ...base, set: [...(base.set ?? []), ...sets] });
  const registry = createShippedRegistry(cfg.plugins);
  parsePluginConfig(registry.get('model', cfg.model.name), cfg.model.config);
  parsePluginConfig(registry.get('loss', cfg.loss.name), cfg.loss.config);
  parsePluginConfig(registry.get('tokenizer', cfg.tokenizer.name), cfg.tokenizer.config);
  return cfg;
}

export function validateAxes(base: LaunchOptions, axes: readonly Axis[]): void {
  for (const axis of axes) {
    for (const value of probeValues(axis)) {
      try {
        resolveTrialConfig(base, [`${axis.key}=${value}`]);
      } catch (err) {
        if (!(err instanceof RewardkitError)) throw err;
        throw new ConfigError(`--grid ${axis.key}=${value} is not a valid setting of the run config: ${err.message}`);
      }
    }
  }
}
