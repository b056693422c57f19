import type { PreferencePair } from '../preference-pair';
import type { PluginBase } from './plugin';

/** Rewards of a held-out set, in the order of `pairs`. */
export interface PairScores {
  readonly chosen: Float64Array;
  readonly rejected: Float64Array;
  readonly pairs: readonly PreferencePair[];
}

/** Flat numbers go to metrics.jsonl and progress output; nested values only to reports. */
export type EvalReport = Readonly<Record<string, number | string | object>>;

export interface Evaluator {
  evaluate(scores: PairScores): EvalReport;
}

export type EvalPlugin<C = unknown> = PluginBase<'eval', C, void, Evaluator>;
