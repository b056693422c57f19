import type { EvalPlugin, EvalReport, PairScores, PreferencePair, TextOrChat } from '@rewardkit/core';
import { z } from 'zod';

export const DataHealthConfigSchema = z
  .object({
    /** Compare texts with surrounding whitespace trimmed (so "Hi" and "Hi\n" count as the same). */
    trim: z.boolean().default(true),
  })
  .strict();
export type DataHealthConfig = z.infer<typeof DataHealthConfigSchema>;

/** Counts of what is wrong with a held-out set; `null` where the caller did not give what a check needs. */
export interface HealthReport {
  readonly n: number;
  /** Pairs repeating an earlier (prompt, chosen, rejected): extra copies, not groups. */
  readonly duplicates: number;
  /** Pairs whose reversal (the same prompt, chosen and rejected swapped) is also in the set. */
  readonly contradictions: number;
  /** chosen == rejected as text, or as the tokens the model saw without any truncation. */
  readonly identical: number;
  /** Pairs whose responses differ as text but truncation made their tokens the same. */
  readonly truncated_identical: number | null;
  /** Pairs truncation cut. */
  readonly truncated: number | null;
  /** Pairs whose (non-empty) prompt also occurs in the training file. */
  readonly shared_prompts: number | null;
  /** Pairs that occur in the training file as they are: evaluation on training data. */
  readonly shared_pairs: number | null;
}

type Key = (t: TextOrChat) => string;

/**
 * Data health of a held-out set: duplicates, contradictions, identical responses, pairs truncation
 * made identical, and (given the training pairs) prompts and pairs shared with the training file.
 * The numbers are counts of pairs; the report is nested under `health`.
 */
export function evaluateDataHealth(cfg: DataHealthConfig, scores: PairScores): EvalReport {
  const key: Key = (t) =>
    typeof t === 'string' ? JSON.stringify(cfg.trim ? t.trim() : t) : JSON.stringify(t.map((m) => [m.role, cfg.trim ? m.content.trim() : m.content]));
  const pairKey = (p: PreferencePair, swap = false) => `${key(p.prompt)}\u0000${key(swap ? p.rejected : p.chosen)}\u0000${key(swap ? p.chosen : p.rejected)}`;
  const { pairs, truncated, identicalTokens, trainPairs } = scores;

  const seen = new Set<string>();
  let duplicates = 0;
  for (const p of pairs) {
    const k = pairKey(p);
    if (seen.has(k)) duplicates++;
    seen.add(k);
  }
  let contradictions = 0;
  for (const p of pairs) if (seen.has(pairKey(p, true))) contradictions++;

  let identical = 0;
  let truncatedIdentical = 0;
  pairs.forEach((p, i) => {
    const sameText = key(p.chosen) === key(p.rejected);
    if (sameText || (identicalTokens?.[i] && !truncated?.[i])) identical++;
    else if (identicalTokens?.[i] && truncated?.[i]) truncatedIdentical++;
  });

  let sharedPrompts: number | null = null;
  let sharedPairs: number | null = null;
  if (trainPairs) {
    const trainPrompts = new Set(trainPairs.map((p) => key(p.prompt)));
    const trainKeys = new Set(trainPairs.map((p) => pairKey(p)));
    const blank = key('');
    sharedPrompts = pairs.filter((p) => key(p.prompt) !== blank && trainPrompts.has(key(p.prompt))).length;
    sharedPairs = pairs.filter((p) => trainKeys.has(pairKey(p))).length;
  }
  const health: HealthReport = {
    n: pairs.length,
    duplicates,
    contradictions,
    identical,
    truncated_identical: identicalTokens && truncated ? truncatedIdentical : null,
    truncated: truncated ? truncated.filter(Boolean).length : null,
    shared_prompts: sharedPrompts,
    shared_pairs: sharedPairs,
  };
  return { health };
}

export const dataHealth: EvalPlugin<DataHealthConfig> = {
  kind: 'eval',
  name: 'data-health',
  description: 'duplicate and contradicting pairs, identical responses, pairs truncation made identical, prompts shared with training',
  configSchema: DataHealthConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateDataHealth(cfg, scores) }),
};
