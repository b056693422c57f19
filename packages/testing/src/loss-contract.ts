import * as tf from '@tensorflow/tfjs-core';
import type { LossFn, LossPlugin } from '@rewardkit/core';
import { describePluginContract } from './plugin-contract';
import { lcg } from './random-batch';
import { expectNoTensorLeak } from './tensor-leaks';
import { useBackend } from './use-backend';

/**
 * The shared suite every loss plugin runs: a sum (not a mean) with its count, gradients that
 * match central finite differences, no leaked tensors.
 */
export function describeLossContract(plugin: LossPlugin, config: unknown = {}, backend: 'wasm' | 'cpu' = 'wasm'): void {
  describePluginContract(plugin);
  describe(`loss contract: ${plugin.name} on ${backend}`, () => {
    useBackend(backend);
    const loss: LossFn = plugin.create(plugin.configSchema.parse(config), undefined);
    const rand = lcg(11);
    const vec = (n: number, scale = 2) => Array.from({ length: n }, () => (rand() - 0.5) * 2 * scale);
    const run = (c: number[], r: number[], m: number[]) =>
      tf.tidy(() => {
        const out = loss({ rChosen: tf.tensor1d(c), rRejected: tf.tensor1d(r), margins: tf.tensor1d(m) });
        return { value: out.lossSum.dataSync()[0], count: out.count };
      });

    it('returns a finite scalar sum and the pair count, leaking nothing', async () => {
      const out = await expectNoTensorLeak(() => run(vec(6), vec(6), new Array(6).fill(0)));
      expect(out.count).toBe(6);
      expect(Number.isFinite(out.value)).toBe(true);
    });

    it('is a sum over pairs: loss(a ++ b) = loss(a) + loss(b)', () => {
      const [c, r, m] = [vec(8), vec(8), vec(8, 0.5)];
      const whole = run(c, r, m).value;
      const parts = run(c.slice(0, 3), r.slice(0, 3), m.slice(0, 3)).value + run(c.slice(3), r.slice(3), m.slice(3)).value;
      expect(Math.abs(whole - parts)).toBeLessThan(1e-4 * Math.max(1, Math.abs(whole)));
    });

    it('has gradients matching central finite differences', () => {
      const [c, r, m] = [vec(5), vec(5), vec(5, 0.5)];
      const grads = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => loss({ rChosen: a as tf.Tensor1D, rRejected: b as tf.Tensor1D, margins: tf.tensor1d(m) }).lossSum;
        return tf.grads(f)([tf.tensor1d(c), tf.tensor1d(r)]).map((g) => Array.from(g.dataSync()));
      });
      // float32 forward: h = 1e-2 keeps truncation (~h^2) and rounding (~1e-7/h) errors near 1e-4
      const h = 1e-2;
      for (let i = 0; i < 5; i++) {
        for (const [which, base] of [[0, c], [1, r]] as const) {
          const plus = [...base];
          const minus = [...base];
          plus[i] += h;
          minus[i] -= h;
          const fd =
            (which === 0 ? run(plus, r, m).value - run(minus, r, m).value : run(c, plus, m).value - run(c, minus, m).value) / (2 * h);
          expect(Math.abs(grads[which][i] - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
        }
      }
    });
  });
}
