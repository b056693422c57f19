import * as tf from '@tensorflow/tfjs-core';

/** Runs `fn` and fails if it leaves tensors behind (tf.memory().numTensors grows). */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${after - before} tensor(s) left behind (${before} -> ${after})`);
  return out;
}
