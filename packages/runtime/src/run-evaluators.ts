import {
  ConfigError,
  parsePluginConfig,
  RewardkitError,
  type EncodedPair,
  type EvalReport,
  type PairScores,
  type PluginRegistry,
  type PreferencePair,
} from '@rewardkit/core';

/** An evaluator as a run config names it: `"accuracy"` or `{ name, config }`. */
export type EvaluatorRef = string | { readonly name: string; readonly config?: unknown };

const refName = (ref: EvaluatorRef) => (typeof ref === 'string' ? ref : ref.name);
const refConfig = (ref: EvaluatorRef) => (typeof ref === 'string' ? {} : (ref.config ?? {}));

/**
 * Validates every evaluator (it exists, its config parses) before anything runs, so a typo fails
 * at start-up, not at the first held-out evaluation; the error names `evaluators[i]`.
 */
export function checkEvaluators(registry: PluginRegistry, refs: readonly EvaluatorRef[]): void {
  refs.forEach((ref, i) => {
    try {
      parsePluginConfig(registry.get('eval', refName(ref)), refConfig(ref));
    } catch (err) {
      if (err instanceof RewardkitError) throw new ConfigError(`evaluators[${i}]: ${err.message}`);
      throw err;
    }
  });
}

/** Runs each evaluator with its config and merges their reports (in order; a later key wins). */
export function runEvaluators(registry: PluginRegistry, refs: readonly EvaluatorRef[], scores: PairScores): EvalReport {
  const report: Record<string, number | string | object> = {};
  for (const ref of refs) Object.assign(report, registry.create('eval', refName(ref), refConfig(ref), undefined).evaluate(scores));
  return report;
}

/** What a prepared data set knows per pair (prepareDataset's output fits). */
export interface ScoredSet {
  readonly pairs: readonly PreferencePair[];
  readonly encoded: readonly EncodedPair[];
  readonly truncatedPairs?: readonly boolean[];
}

/**
 * The evaluators' input from a prepared set and its rewards: response token counts (what the model
 * saw, EOS not counted), truncation and identical-token flags, and the training pairs when known.
 */
export function pairScoresOf(
  data: ScoredSet,
  rewards: { readonly chosen: Float64Array; readonly rejected: Float64Array },
  trainPairs?: readonly PreferencePair[],
): PairScores {
  const { encoded } = data;
  return {
    chosen: rewards.chosen,
    rejected: rewards.rejected,
    pairs: data.pairs,
    chosenTokens: Int32Array.from(encoded, (p) => p.chosen.length - p.promptLength - 1),
    rejectedTokens: Int32Array.from(encoded, (p) => p.rejected.length - p.promptLength - 1),
    identicalTokens: encoded.map((p) => sameIds(p.chosen, p.rejected)),
    ...(data.truncatedPairs ? { truncated: data.truncatedPairs } : {}),
    ...(trainPairs ? { trainPairs } : {}),
  };
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The numbers of a report, for metrics.jsonl and one-line summaries. */
export function numericPart(report: EvalReport): Record<string, number> {
  return Object.fromEntries(Object.entries(report).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
}
