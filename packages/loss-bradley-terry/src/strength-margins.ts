import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@rewardkit/core';
import { z } from 'zod';

/**
 * Graded margins (Llama 2): annotators say how much better the chosen response is, and a
 * stronger preference asks for a wider reward gap. `strengthMargins` maps each annotated
 * strength to its margin, e.g. {"3": 1, "2": 0.667, "1": 0.333, "0": 0} (Llama 2's four
 * levels, "significantly better" .. "negligibly better"); `strengthScale` is the linear form,
 * margin = scale * strength. A pair without a strength has strength 0 (margin 0 unless mapped).
 */
export const StrengthMarginsSchema = z.record(
  z.string().regex(/^-?\d+(\.\d+)?$/, 'a strength key is a number, e.g. "2" or "0.5"'),
  z.number().min(0),
);

/** [n] the margins the strengths ask for, or undefined when the config maps none. */
export function strengthMargins(
  strengths: tf.Tensor1D,
  map: Readonly<Record<string, number>> | undefined,
  scale: number,
): tf.Tensor1D | undefined {
  if (map) {
    // exact lookup on the host: strengths are data (off the tape) and float32 on the device
    const margin = new Map(Object.entries(map).map(([k, m]) => [Math.fround(Number(k)), m]));
    const values = strengths.dataSync();
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const m = margin.get(values[i]);
      if (m === undefined && values[i] !== 0) {
        throw new ConfigError(
          `loss bradley-terry: a pair has strength ${values[i]}, which loss.config.strengthMargins does not map (it maps ${[...margin.keys()].join(', ')})`,
        );
      }
      out[i] = m ?? 0;
    }
    return tf.tensor1d(out);
  }
  return scale > 0 ? (tf.mul(strengths, scale) as tf.Tensor1D) : undefined;
}
