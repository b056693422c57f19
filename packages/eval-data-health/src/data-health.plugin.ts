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
  // a text's key: itself (a conversation: its roles and contents), tagged so the two kinds never meet
  const key: Key = (t) =>
    typeof t === 'string' ? `s${cfg.trim ? t.trim() : t}` : `c${JSON.stringify(t.map((m) => [m.role, cfg.trim ? m.content.trim() : m.content]))}`;
  const keysOf = (p: PreferencePair) => ({ prompt: key(p.prompt), chosen: key(p.chosen), rejected: key(p.rejected) });
  const join = (...parts: string[]) => parts.join('\u0000');
  const { pairs, truncated, identicalTokens, trainPairs } = scores;
  const keys = pairs.map(keysOf); // once per text: conversations are stringified

  const seen = new Set<string>();
  let duplicates = 0;
  for (const k of keys) {
    const whole = join(k.prompt, k.chosen, k.rejected);
    if (seen.has(whole)) duplicates++;
    seen.add(whole);
  }
  let contradictions = 0;
  for (const k of keys) if (seen.has(join(k.prompt, k.rejected, k.chosen))) contradictions++;

  let identical = 0;
  let truncatedIdentical = 0;
  keys.forEach((k, i) => {
    if (k.chosen === k.rejected || (identicalTokens?.[i] && !truncated?.[i])) identical++;
    else if (identicalTokens?.[i] && truncated?.[i]) truncatedIdentical++;
  });

  let sharedPrompts: number | null = null;
  let sharedPairs: number | null = null;
  if (trainPairs) {
    const trainKeys = trainPairs.map(keysOf);
    const trainPrompts = new Set(trainKeys.map((k) => k.prompt));
    const trainWhole = new Set(trainKeys.map((k) => join(k.prompt, k.chosen, k.rejected)));
    const blank = key('');
    sharedPrompts = keys.filter((k) => k.prompt !== blank && trainPrompts.has(k.prompt)).length;
    sharedPairs = keys.filter((k) => trainWhole.has(join(k.prompt, k.chosen, k.rejected))).length;
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
