/**
 * A replica's parameters and their moving average (weight-average.ts): folding the parameters in
 * after a step, and lending the model the averaged weights for a held-out evaluation or an export
 * without disturbing training (the trained parameters are put back exactly, so the next step is
 * what it would have been).
 */
import type { Replica } from './replica';
import type { WeightAverage } from './weight-average';

/** After an optimizer step: the step's parameters join the average (a device store reads them back each step; an average kept on the device is not written yet). */
export async function foldIntoAverage(average: WeightAverage, replica: Replica): Promise<void> {
  average.update(await replica.store.parameters());
}

/**
 * Runs `fn` with the model holding the averaged weights, then restores the trained ones. Before
 * the first step there is nothing averaged yet and the model's own weights are used.
 */
export async function withAveragedWeights<T>(average: WeightAverage | undefined, replica: Replica, fn: () => Promise<T>): Promise<T> {
  if (!average || average.updates === 0) return fn();
  const trained = Float32Array.from(await replica.store.parameters());
  replica.restore({ theta: average.average });
  try {
    return await fn();
  } finally {
    replica.restore({ theta: trained });
  }
}
