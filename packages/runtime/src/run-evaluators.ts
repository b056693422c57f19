import type { EvalReport, PairScores, PluginRegistry } from '@rewardkit/core';

/** Runs each named evaluator plugin (default config) and merges their reports. */
export function runEvaluators(registry: PluginRegistry, names: readonly string[], scores: PairScores): EvalReport {
  const report: Record<string, number | string | object> = {};
  for (const name of names) Object.assign(report, registry.create('eval', name, {}, undefined).evaluate(scores));
  return report;
}

/** The numbers of a report, for metrics.jsonl and one-line summaries. */
export function numericPart(report: EvalReport): Record<string, number> {
  return Object.fromEntries(Object.entries(report).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
}
