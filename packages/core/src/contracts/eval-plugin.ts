import type { PreferencePair } from '../preference-pair';
import type { PluginBase } from './plugin';

/**
 * Rewards of a held-out set, in the order of `pairs`. The optional fields are what some
 * evaluators use beyond rewards; callers that know them fill them in (the evaluator app and the
 * trainer do, through the runtime's `pairScoresOf`), and an evaluator copes without them.
 */
export interface PairScores {
  readonly chosen: Float64Array;
  readonly rejected: Float64Array;
  readonly pairs: readonly PreferencePair[];
  /** Response tokens the model saw per pair (after truncation, EOS not counted). */
  readonly chosenTokens?: Int32Array;
  readonly rejectedTokens?: Int32Array;
  /** Truncation cut the pair (its prompt or a response lost tokens). */
  readonly truncated?: readonly boolean[];
  /** The two token sequences the model saw are the same: it cannot tell the responses apart. */
  readonly identicalTokens?: readonly boolean[];
  /** The training pairs, when known: for checks of overlap between training and evaluation. */
  readonly trainPairs?: readonly PreferencePair[];
}

/** Flat numbers go to metrics.jsonl and progress output; nested values only to reports. */
export type EvalReport = Readonly<Record<string, number | string | object>>;

export interface Evaluator {
  evaluate(scores: PairScores): EvalReport;
}

export type EvalPlugin<C = unknown> = PluginBase<'eval', C, void, Evaluator>;
