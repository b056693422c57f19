import { ConfigError, type RunConfig } from '@rewardkit/core';

/** A run config whose step count is settled (explicit, derived from epochs, or recorded by the run). */
export type SizedRunConfig = RunConfig & { readonly train: RunConfig['train'] & { readonly steps: number } };

export interface TrainingLength {
  readonly steps: number;
  /** One line for the log: how many steps, how many passes over how much data, and why. */
  readonly reason: string;
}

/**
 * How long to train. `--steps` (train.steps) wins; otherwise ceil(epochs * units / batchSize),
 * so that a model's recommended settings mean passes over the data, not a step count tuned on
 * one data set (250 transformer steps are 4.6 epochs of the 1,748 sample pairs but 1.3 of 6,000
 * pairs). A resumed run keeps the step count its config.json recorded when it started: the data
 * file may have grown since, and the learning-rate schedule was laid out for that count. A resume
 * that changes `epochs` derives the count again.
 */
export function trainingLength(train: RunConfig['train'], units: number, recorded?: { steps?: unknown; epochs?: unknown }): TrainingLength {
  if (units < 1) throw new ConfigError('the training data has no pairs to train on');
  const epochsOf = (steps: number) => (steps * train.batchSize) / units;
  const of = `of ${units.toLocaleString('en-US')} pairs at batch ${train.batchSize}`;
  if (train.steps !== undefined) {
    return { steps: train.steps, reason: `${train.steps} steps (train.steps) = ${epochsOf(train.steps).toFixed(1)} epochs ${of}` };
  }
  const sameEpochs = recorded?.epochs === undefined || recorded.epochs === train.epochs;
  if (typeof recorded?.steps === 'number' && Number.isInteger(recorded.steps) && recorded.steps > 0 && sameEpochs) {
    return { steps: recorded.steps, reason: `${recorded.steps} steps (recorded when the run started) = ${epochsOf(recorded.steps).toFixed(1)} epochs ${of}` };
  }
  // the small epsilon keeps float noise (4.57 * 1748 / 32 = 249.63..., 2 * 16 / 8 = 4.000...01) from adding a step
  const steps = Math.max(1, Math.ceil((train.epochs * units) / train.batchSize - 1e-9));
  return { steps, reason: `${steps} steps = ${epochsOf(steps).toFixed(1)} epochs ${of} (train.epochs ${train.epochs}; --steps overrides)` };
}

/** `cfg` with its step count settled. */
export function withSteps(cfg: RunConfig, steps: number): SizedRunConfig {
  return { ...cfg, train: { ...cfg.train, steps } };
}
