import * as tf from '@tensorflow/tfjs-core';
import type { LossFn, LossInput, LossOutput, LossPlugin } from '@rewardkit/core';
import { RankingsModeSchema, reducePairs, type RankingsMode } from '@rewardkit/loss-pairwise';
import { z } from 'zod';
import { davidsonNll } from './davidson';
import { raoKupperNll } from './rao-kupper';
import { DEFAULT_TIE, tieParameter, type TieModel, type TieParameter } from './tie-parameter';

export const BradleyTerryTiesConfigSchema = z
  .object({
    /** How a tie is modelled: Davidson (ties likeliest at equal rewards) or Rao-Kupper (a win needs a gap). */
    model: z.enum(['davidson', 'rao-kupper']).default('davidson'),
    /** Davidson's nu > 0 or Rao-Kupper's theta > 1; default 1 or 2 (win, tie, loss a third each at equal rewards). */
    tie: z.number().positive().optional(),
    /** Learn the tie parameter with the model (starting from `tie`) instead of keeping it fixed. */
    learnTie: z.boolean().default(false),
    /** Multiplies the data's per-pair `margin` on strict pairs; 0 ignores margins. */
    marginScale: z.number().min(0).default(1),
    /** A ranking's pairs: 1/C(K,2) each and units counted (`weighted`, InstructGPT) or each pair once (`each`). */
    rankings: RankingsModeSchema,
  })
  .strict()
  .refine((c) => c.model !== 'rao-kupper' || c.tie === undefined || c.tie > 1, {
    message: "Rao-Kupper's theta must be above 1 (theta = 1 leaves no probability for a tie)",
    path: ['tie'],
  });
export type BradleyTerryTiesConfig = z.infer<typeof BradleyTerryTiesConfigSchema>;

const NLL: Readonly<Record<TieModel, (d: tf.Tensor1D, ties: tf.Tensor1D, p: tf.Scalar) => tf.Tensor1D>> = {
  davidson: davidsonNll,
  'rao-kupper': raoKupperNll,
};

/**
 * -log P(outcome) per pair under the tie model: a strict pair's win probability at
 * d = r_w - r_l - marginScale * margin, an annotated tie's tie probability at d = r_a - r_b
 * (symmetric in a and b), summed with the ranking weights. Every pair counts, ties included.
 */
export function bradleyTerryTiesLoss(
  cfg: { model: TieModel; marginScale: number; rankings: RankingsMode },
  tie: TieParameter,
  input: LossInput,
): LossOutput {
  const { rChosen, rRejected, margins, ties } = input;
  const perPair = tf.tidy(() => {
    let d = tf.sub(rChosen, rRejected) as tf.Tensor1D; // [n]
    // a tie's margin is 0 (LossInput): the pair has no winner to put a gap in front of
    if (cfg.marginScale !== 0) d = tf.sub(d, tf.mul(margins, cfg.marginScale));
    return NLL[cfg.model](d, ties, tie.value());
  });
  try {
    return reducePairs(perPair, input, { rankings: cfg.rankings, ties: 'keep' });
  } finally {
    perPair.dispose();
  }
}

export const bradleyTerryTies: LossPlugin<BradleyTerryTiesConfig> = {
  kind: 'loss',
  name: 'bradley-terry-ties',
  description: 'Bradley-Terry with ties (Davidson or Rao-Kupper): annotated ties train towards equal rewards; tie parameter fixed or learned',
  configSchema: BradleyTerryTiesConfigSchema,
  create: (cfg) => {
    const tie = tieParameter(cfg.model, cfg.tie ?? DEFAULT_TIE[cfg.model], cfg.learnTie);
    const fn: LossFn = (input) => bradleyTerryTiesLoss(cfg, tie, input);
    return Object.assign(fn, { parameters: tie.parameters });
  },
};
