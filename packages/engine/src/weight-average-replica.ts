/**
 * A replica's parameters and their moving average (weight-average.ts): folding the parameters in
 * after a step, and lending the model the averaged weights for a held-out evaluation or an export
 * without disturbing training (the trained parameters are put back exactly, so the next step is
 * what it would have been).
 */
import type { Replica } from './replica';
import type { WeightAverage } from './weight-average';

/**
 * The replica's parameters on the host: the host store's own buffer, or a device store read back
 * (its whole snapshot, moments too: correct but a read-back per step; an average kept on the
 * device would avoid it, and is not written yet).
 */
async function parametersOf(replica: Replica): Promise<Float32Array> {
  return replica.store.kind === 'host' ? replica.theta : (await replica.snapshot()).theta;
}

/** After an optimizer step: the step's parameters join the average. */
export async function foldIntoAverage(average: WeightAverage, replica: Replica): Promise<void> {
  average.update(await parametersOf(replica));
}

/**
 * Runs `fn` with the model holding the averaged weights, then restores the trained ones. Before
 * the first step there is nothing averaged yet and the model's own weights are used.
 */
export async function withAveragedWeights<T>(average: WeightAverage | undefined, replica: Replica, fn: () => Promise<T>): Promise<T> {
  if (!average || average.updates === 0) return fn();
  const trained = Float32Array.from(await parametersOf(replica));
  replica.restore({ theta: average.average });
  try {
    return await fn();
  } finally {
    replica.restore({ theta: trained });
  }
}
