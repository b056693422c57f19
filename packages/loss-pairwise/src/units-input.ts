import * as tf from '@tensorflow/tfjs-core';
import { lossInput, type LossInput } from '@rewardkit/core';

/** One unit as a spec writes it: a reward and a rank (0 = best) per response. */
export interface UnitRewards {
  readonly rewards: readonly number[];
  readonly ranks: readonly number[];
  readonly margin?: number;
  readonly strength?: number;
}

/**
 * The LossInput a replica would build for these units (core's `lossInput`), from a readable
 * list, for specs and tools that call a loss directly. `rewards` may be given as a tensor on the
 * tape (to take gradients through it). Call in a tidy.
 */
export function unitsInput(units: readonly UnitRewards[], rewards?: tf.Tensor1D): LossInput {
  const offsets = new Int32Array(units.length + 1);
  units.forEach((u, i) => (offsets[i + 1] = offsets[i] + u.rewards.length));
  return lossInput(rewards ?? tf.tensor1d(units.flatMap((u) => u.rewards)), {
    offsets,
    ranks: Int32Array.from(units.flatMap((u) => u.ranks)),
    margins: Float32Array.from(units.map((u) => u.margin ?? 0)),
    strengths: Float32Array.from(units.map((u) => u.strength ?? 0)),
  });
}
