import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter } from '@rewardkit/core';

export type TieModel = 'davidson' | 'rao-kupper';

/** The default tie parameter of each model: win, tie and loss equally likely at equal rewards. */
export const DEFAULT_TIE: Readonly<Record<TieModel, number>> = { davidson: 1, 'rao-kupper': 2 };

/**
 * The tie parameter in the form each model's formula takes, log nu (Davidson) or alpha = log theta
 * (Rao-Kupper), fixed or learned. Learned, it is an unconstrained tf.Variable rho kept positive
 * by its map: nu = e^rho (any rho), alpha = softplus(rho) > 0 (so theta > 1). Initialised at `tie`.
 */
export interface TieParameter {
  /** Inside a tidy: log nu or alpha as a scalar on the tape. */
  value(): tf.Scalar;
  /** The learned variable, for the replica's optimizer and checkpoints; empty when fixed. */
  readonly parameters: readonly NamedParameter[];
}

export function tieParameter(model: TieModel, tie: number, learn: boolean): TieParameter {
  // log nu, or alpha = log theta: the same log either way
  if (!learn) return { value: () => tf.scalar(Math.log(tie)), parameters: [] };
  // rho such that the map gives back the initial value: rho = log nu; softplus^-1(alpha) = log(e^alpha - 1) = log(theta - 1)
  const rho = model === 'davidson' ? Math.log(tie) : Math.log(tie - 1);
  const variable = tf.variable(tf.scalar(rho), true);
  const name = model === 'davidson' ? 'loss.davidson.log_nu' : 'loss.rao_kupper.theta_raw';
  return {
    value: () => (model === 'davidson' ? (variable as tf.Scalar) : tf.softplus(variable as tf.Scalar)),
    parameters: [{ name, variable }],
  };
}
