import { z } from 'zod';

/**
 * Which record fields (JSON keys, Parquet columns) hold each part of a pair, for data sets that
 * name them differently (`{question, good, bad}`). Unset entries use the usual names.
 */
export const columnsSchema = z
  .object({
    /** Absent: `prompt`, the name in HH-style and most preference data sets. */
    prompt: z.string().min(1).optional(),
    /** Absent: `chosen`. */
    chosen: z.string().min(1).optional(),
    /** Absent: `rejected`. */
    rejected: z.string().min(1).optional(),
    /** Absent: `margin`; a missing margin means 0 (plain Bradley-Terry). */
    margin: z.string().min(1).optional(),
    /** Absent: `tie`; `true` marks a pair neither of whose responses is better. */
    tie: z.string().min(1).optional(),
    /** Absent: `label`; 0.5 is a tie, 1 the usual "chosen is better". */
    label: z.string().min(1).optional(),
    /** Absent: `strength`; an annotated preference strength (e.g. 1-3 for "slightly".."significantly" better). */
    strength: z.string().min(1).optional(),
    /** Absent: `responses`; K >= 2 responses of a ranking record. */
    responses: z.string().min(1).optional(),
    /** Absent: `ranking`; the rank of each response, smaller is better, equal ranks tied. */
    ranking: z.string().min(1).optional(),
    /** Absent: `category`, else `source` (what the embedded HH sample uses). */
    category: z.string().min(1).optional(),
    /** Absent: `id`; records without one get `file:line`. */
    id: z.string().min(1).optional(),
  })
  .strict();

export type ColumnMapping = z.infer<typeof columnsSchema>;

/** The field names a record is read through, after applying a mapping over the defaults. */
export interface ResolvedColumns {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly margin: string;
  readonly tie: string;
  readonly label: string;
  readonly strength: string;
  readonly responses: string;
  readonly ranking: string;
  /** Tried in order; the first one present gives the category. */
  readonly category: readonly string[];
  readonly id: string;
}

export function resolveColumns(mapping: ColumnMapping = {}): ResolvedColumns {
  return {
    prompt: mapping.prompt ?? 'prompt',
    chosen: mapping.chosen ?? 'chosen',
    rejected: mapping.rejected ?? 'rejected',
    margin: mapping.margin ?? 'margin',
    tie: mapping.tie ?? 'tie',
    label: mapping.label ?? 'label',
    strength: mapping.strength ?? 'strength',
    responses: mapping.responses ?? 'responses',
    ranking: mapping.ranking ?? 'ranking',
    category: mapping.category ? [mapping.category] : ['category', 'source'],
    id: mapping.id ?? 'id',
  };
}

/** Every field a record may be read from: lets columnar readers load only these. */
export function columnNames(columns: ResolvedColumns): string[] {
  const { prompt, chosen, rejected, margin, tie, label, strength, responses, ranking, id } = columns;
  return [prompt, chosen, rejected, margin, tie, label, strength, responses, ranking, ...columns.category, id];
}
