import { CheckpointError, ConfigError, type RunConfig } from '@rewardkit/core';

export type EarlyStopConfig = NonNullable<RunConfig['train']['earlyStop']>;

/** What early stopping remembers; saved in every checkpoint's meta so that --resume and recovery continue it. */
export interface EarlyStopState {
  /** Best value of the metric so far, and the step it was measured at (undefined before the first evaluation). */
  readonly best?: number;
  readonly bestStep?: number;
  /** Evaluations since the best one. */
  readonly sinceBest: number;
  /** Evaluations seen, and the step of the last one (a repeated evaluation of a step is not counted twice). */
  readonly evaluations: number;
  readonly lastStep: number;
}

export interface EarlyStopVerdict {
  /** This evaluation is the best so far: keep its checkpoint. */
  readonly improved: boolean;
  /** `patience` evaluations in a row without improvement: stop training. */
  readonly stop: boolean;
}

const FRESH: EarlyStopState = { sinceBest: 0, evaluations: 0, lastStep: 0 };

/**
 * Tracks one held-out metric across evaluations: the best value and its step, and how many
 * evaluations have passed without beating it by more than `minDelta`. eval_loss improves
 * downwards, accuracy upwards. Pure bookkeeping: the trainer writes and keeps the checkpoints.
 */
export class EarlyStop {
  private current: EarlyStopState = FRESH;

  constructor(readonly cfg: EarlyStopConfig) {}

  get state(): EarlyStopState {
    return this.current;
  }

  get bestStep(): number | undefined {
    return this.current.bestStep;
  }

  get stopped(): boolean {
    return this.current.sinceBest >= this.cfg.patience;
  }

  /** Puts the tracker back where a checkpoint left it (a checkpoint without it: the start). */
  restore(saved: unknown): void {
    if (saved === undefined) {
      this.current = FRESH;
      return;
    }
    const s = saved as Partial<EarlyStopState>;
    const ok = typeof s === 'object' && s !== null && Number.isInteger(s.sinceBest) && Number.isInteger(s.evaluations) && Number.isInteger(s.lastStep);
    if (!ok) throw new CheckpointError(`the checkpoint's early-stopping state is damaged: ${JSON.stringify(saved)}`);
    this.current = { ...FRESH, ...s };
  }

  /** Records the metric measured at `step`; a second evaluation of the same step changes nothing. */
  observe(step: number, metrics: Readonly<Record<string, number>>): EarlyStopVerdict {
    const value = metrics[this.cfg.metric];
    if (value === undefined || !Number.isFinite(value)) {
      throw new ConfigError(`train.earlyStop.metric: the held-out evaluation at step ${step} has no finite "${this.cfg.metric}" (got ${value}; accuracy needs the accuracy evaluator)`);
    }
    const s = this.current;
    if (step <= s.lastStep) return { improved: false, stop: this.stopped };
    const gain = s.best === undefined ? Infinity : this.cfg.metric === 'eval_loss' ? s.best - value : value - s.best;
    const improved = gain > this.cfg.minDelta;
    this.current = improved
      ? { best: value, bestStep: step, sinceBest: 0, evaluations: s.evaluations + 1, lastStep: step }
      : { ...s, sinceBest: s.sinceBest + 1, evaluations: s.evaluations + 1, lastStep: step };
    return { improved, stop: this.stopped };
  }

  /** For the log and the model card: which step, by what, and why training ended. */
  describe(stoppedAt: number, stoppedEarly: boolean): string {
    const s = this.current;
    const end = stoppedEarly ? `; training stopped at step ${stoppedAt} after ${s.sinceBest} evaluation(s) without improvement` : `; trained to step ${stoppedAt}`;
    return `the checkpoint of step ${s.bestStep}, best held-out ${this.cfg.metric} (${s.best?.toFixed(4)}) of ${s.evaluations} evaluation(s)${end}`;
  }
}
