import type { PluginRegistry } from '@rewardkit/core';
import { calibration } from './calibration.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(calibration);
}
