import { z } from 'zod';

/**
 * How a K-response ranking, expanded to its C(K,2) pairs, is weighed against a plain pair record.
 * - `weighted` (InstructGPT): each pair carries its unit's share 1/C(K,2), so every prompt weighs
 *   the same whatever its K; the count is units (records). Without rankings it equals `each`.
 * - `each`: every pair counts once and the count is pairs, so a 9-response ranking weighs 36
 *   times a pair record (InstructGPT saw this overfit: the pairs of a prompt are correlated).
 */
export const RankingsModeSchema = z.enum(['weighted', 'each']).default('weighted');
export type RankingsMode = z.infer<typeof RankingsModeSchema>;
