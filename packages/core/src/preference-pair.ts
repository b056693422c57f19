import type { SourceLocation } from './errors';

/** One turn of a conversation. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** Plain text, or a conversation to be rendered by the tokenizer's chat template. */
export type TextOrChat = string | readonly ChatMessage[];

/**
 * One human preference: for `prompt`, `chosen` was preferred over `rejected`.
 * Loaders produce these; the tokenizer's renderer turns them into token ids.
 */
export interface PreferencePair {
  /** Stable id: the record's own `id`, else `file:line`. */
  readonly id: string;
  /** The context both responses answer (may be empty). */
  readonly prompt: TextOrChat;
  readonly chosen: TextOrChat;
  readonly rejected: TextOrChat;
  /** Required reward gap: the loss wants r(chosen) - r(rejected) > margin. */
  readonly margin?: number;
  /**
   * An annotated tie (`tie: true` or `label: 0.5` in the data): neither response is better, and
   * `chosen`/`rejected` are just A and B. Never together with a margin.
   */
  readonly tie?: boolean;
  /** Annotated preference strength (e.g. Llama-2's "significantly better" = 3); losses may map it to a margin. */
  readonly strength?: number;
  /** The unit (record) this pair came from when a ranking expanded to pairs: evaluators group by it. */
  readonly group?: string;
  /** Free-form grouping for per-category evaluation (`source` or `category` in the data). */
  readonly category?: string;
  /** Where the record came from, for error messages. */
  readonly origin?: SourceLocation;
}

/**
 * One ranking of K >= 2 responses to one prompt (InstructGPT's K-wise comparisons).
 * `ranking[i]` is the rank of `responses[i]`: 0 (or 1) is the best, equal ranks are tied.
 */
export interface PreferenceRanking {
  readonly id: string;
  readonly prompt: TextOrChat;
  readonly responses: readonly TextOrChat[];
  /** [K] rank of each response, smaller is better; only the order matters. */
  readonly ranking: readonly number[];
  readonly category?: string;
  readonly origin?: SourceLocation;
}

/** A record: the indivisible unit of batching and sharding (its responses stay together). */
export type PreferenceUnit = PreferencePair | PreferenceRanking;

export function isRanking(unit: PreferenceUnit): unit is PreferenceRanking {
  return 'responses' in unit;
}

/**
 * A ranking as pairs, for evaluation and labeling: every pair (i < j) once, the better response
 * as `chosen`; a tied pair keeps the record's order and carries `tie: true`. Each pair's `group`
 * is the ranking's id, its id `id#i>j`.
 */
export function rankingPairs(r: PreferenceRanking): PreferencePair[] {
  const out: PreferencePair[] = [];
  const K = r.responses.length;
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      const tie = r.ranking[i] === r.ranking[j];
      const [a, b] = r.ranking[j] < r.ranking[i] ? [j, i] : [i, j];
      out.push({
        id: `${r.id}#${a}>${b}`,
        prompt: r.prompt,
        chosen: r.responses[a],
        rejected: r.responses[b],
        ...(tie ? { tie: true } : {}),
        group: r.id,
        ...(r.category !== undefined ? { category: r.category } : {}),
        ...(r.origin ? { origin: r.origin } : {}),
      });
    }
  }
  return out;
}

/** Every unit as pairs: pair records as they are, rankings expanded (`rankingPairs`). */
export function unitPairs(units: readonly PreferenceUnit[]): PreferencePair[] {
  return units.flatMap((u) => (isRanking(u) ? rankingPairs(u) : [u]));
}
