export interface LrScheduleConfig {
  readonly lr: number;
  readonly warmupSteps: number;
  readonly steps: number;
  readonly minLrRatio: number;
}

/**
 * Linear warm-up to `lr`, then cosine decay to `lr * minLrRatio` at the last step.
 * `step` counts from 1 (the first update).
 */
export function learningRate(cfg: LrScheduleConfig, step: number): number {
  if (cfg.warmupSteps > 0 && step <= cfg.warmupSteps) return (cfg.lr * step) / cfg.warmupSteps;
  const span = Math.max(1, cfg.steps - cfg.warmupSteps);
  const progress = Math.min(1, (step - cfg.warmupSteps) / span);
  const minLr = cfg.lr * cfg.minLrRatio;
  return minLr + 0.5 * (cfg.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
