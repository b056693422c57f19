import * as tf from '@tensorflow/tfjs-core';
import type { LossInput, LossOutput, LossPlugin } from '@rewardkit/core';
import { z } from 'zod';
import { rankGroups } from './rank-groups';

export const PlackettLuceConfigSchema = z
  .object({
    /**
     * Temperature: rewards are divided by it before the softmax; 1 is the plain model (a pair is
     * then exactly Bradley-Terry).
     */
    temperature: z.number().positive().default(1),
  })
  .strict();
export type PlackettLuceConfig = z.infer<typeof PlackettLuceConfigSchema>;

/** Masked-out responses sit this far below every real reward in a group's log-sum-exp. */
const FAR = 1e9;

/**
 * Per unit, -log P(ranking) = -sum over rank groups g, best first, of
 *   sum_{i in D_g} r_i - d_g * logsumexp_{j in R_g} r_j,
 * where D_g holds the d_g responses of rank g and R_g every response not placed yet (D_g and all
 * worse ones). Without ties this is the Plackett-Luce likelihood (-sum_i [r_i - logsumexp(r_i..r_K)]);
 * tied responses are placed together by Breslow's approximation (each takes the whole risk set
 * as its denominator), so a tie asks its members to be equal rather than ordering them. Reads
 * `rankings.rewards`: every response scored once, whatever K. Margins and strengths are pair
 * notions and are not used. count = units (records).
 */
export function plackettLuceLoss(cfg: PlackettLuceConfig, input: LossInput): LossOutput {
  const { rewards, offsets, ranks } = input.rankings;
  const m = ranks.length;
  const g = rankGroups(offsets, ranks);
  const lossSum = tf.tidy(() => {
    if (g.groups === 0) return tf.mul(tf.sum(rewards), 0) as tf.Scalar; // no units: 0, still on the tape
    const r = cfg.temperature === 1 ? rewards : tf.div(rewards, cfg.temperature); // [m]
    const members = tf.tensor2d(g.members, [g.groups, m]);
    const risk = tf.tensor2d(g.risk, [g.groups, m]);
    const numer = tf.sum(tf.matMul(members, tf.reshape(r, [m, 1]))); // sum over groups of sum_{D_g} r
    const masked = tf.add(tf.mul(risk, tf.reshape(r, [1, m])), tf.mul(tf.sub(risk, 1), FAR)); // [G, m]
    const lse = tf.logSumExp(masked, 1); // [G]
    const denom = tf.sum(tf.mul(lse, tf.tensor1d(g.sizes)));
    return tf.sub(denom, numer) as tf.Scalar;
  });
  return { lossSum, count: input.units };
}

export const plackettLuce: LossPlugin<PlackettLuceConfig> = {
  kind: 'loss',
  name: 'plackett-luce',
  description:
    'Plackett-Luce listwise loss over each ranking (a pair is Bradley-Terry); every response scored once; ties placed together (Breslow)',
  configSchema: PlackettLuceConfigSchema,
  create: (config) => (input) => plackettLuceLoss(config, input),
};
