import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { ParameterLayout } from './parameter-layout';
import { bucketRanges, bucketTensor } from './parameter-store-transfer';

// readGradients itself: parameter-store-device.spec.ts; the overlap's buckets: gradient-overlap.spec.ts.
describe('bucketTensor (the one bucket assembly of readGradients and the overlap)', () => {
  useBackend('cpu');

  it('is the flat buffer [params, tail] cut at [a, b), a missing gradient as zeros', () => {
    const params = [[2, 3], [4], [1]].map((shape, i) => ({ name: `p${i}`, variable: tf.variable(tf.zeros(shape)) }));
    const layout = new ParameterLayout(params);
    const grads: (tf.Tensor | undefined)[] = [tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), undefined, tf.tensor1d([7])];
    const tail = tf.tensor1d([8, 9]);
    const whole = [1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 7, 8, 9];
    const before = tf.memory().numTensors;
    for (const bytes of [4, 12, 20, 4 * whole.length]) {
      const got = bucketRanges(whole.length, bytes).flatMap(([a, b]) => {
        const t = bucketTensor(layout, a, b, (i) => grads[i], tail);
        const v = Array.from(t.dataSync());
        t.dispose();
        return v;
      });
      expect(got).toEqual(whole);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([tail, ...grads.filter((g): g is tf.Tensor => g !== undefined), ...params.map((p) => p.variable)]);
  });

  it('refuses a bucket that reaches the statistics without a tail (it would be short, and land out of place)', () => {
    const v = tf.variable(tf.zeros([3]));
    const layout = new ParameterLayout([{ name: 'w', variable: v }]);
    expect(() => bucketTensor(layout, 2, 4, () => undefined, undefined)).toThrow(/reaches past the 3 parameters/);
    const t = bucketTensor(layout, 0, 3, () => undefined, undefined); // within the parameters: no tail needed
    expect(Array.from(t.dataSync())).toEqual([0, 0, 0]);
    tf.dispose([t, v]);
  });
});
