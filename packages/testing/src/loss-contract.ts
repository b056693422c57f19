import * as tf from '@tensorflow/tfjs-core';
import { lossInput, type LossFn, type LossPlugin, type UnitStructure } from '@rewardkit/core';
import { describePluginContract } from './plugin-contract';
import { lcg } from './random-batch';
import { expectNoTensorLeak } from './tensor-leaks';
import { useBackend } from './use-backend';

/** A shard's unit structure and one reward per response, as a replica would hand them to a loss. */
export interface UnitShard extends UnitStructure {
  readonly rewards: number[];
}

/**
 * Random units of every shape: plain pairs (some with a margin or a strength), annotated ties and
 * rankings of 3-4 responses (some with tied ranks). Rewards are spread over [-scale, scale].
 */
export function randomUnitShard(units: number, seed = 11, scale = 2): UnitShard {
  const rand = lcg(seed);
  const offsets = [0];
  const ranks: number[] = [];
  const margins: number[] = [];
  const strengths: number[] = [];
  for (let u = 0; u < units; u++) {
    const shape = u % 4; // 0 pair, 1 pair with margin/strength, 2 tie, 3 ranking
    if (shape === 3) {
      const K = 3 + (u % 2);
      for (let k = 0; k < K; k++) ranks.push(Math.floor(rand() * (K - 1))); // ties likely
      margins.push(0);
      strengths.push(0);
    } else {
      ranks.push(0, shape === 2 ? 0 : 1);
      margins.push(shape === 1 ? 0.5 * rand() : 0);
      strengths.push(shape === 1 ? 1 + Math.floor(rand() * 3) : 0);
    }
    offsets.push(ranks.length);
  }
  return {
    offsets: Int32Array.from(offsets),
    ranks: Int32Array.from(ranks),
    margins: Float32Array.from(margins),
    strengths: Float32Array.from(strengths),
    rewards: ranks.map(() => (rand() - 0.5) * 2 * scale),
  };
}

/** Units [from, to) of a shard, as their own shard. */
export function sliceUnits(s: UnitShard, from: number, to: number): UnitShard {
  const [lo, hi] = [s.offsets[from], s.offsets[to]];
  return {
    offsets: Int32Array.from(s.offsets.subarray(from, to + 1), (o) => o - lo),
    ranks: s.ranks.slice(lo, hi),
    margins: s.margins.slice(from, to),
    strengths: s.strengths.slice(from, to),
    rewards: s.rewards.slice(lo, hi),
  };
}

/**
 * The shared suite every loss plugin runs, on shards that mix every data shape (pairs, margins,
 * strengths, ties, rankings): a sum (not a mean) with its count, additive over split shards;
 * gradients that match central finite differences both through the replica's coupled input
 * (pairs gathered from `rankings.rewards`) and for each view on its own; no leaked tensors.
 */
export function describeLossContract(plugin: LossPlugin, config: unknown = {}, backend: 'wasm' | 'cpu' = 'wasm'): void {
  describePluginContract(plugin);
  describe(`loss contract: ${plugin.name} on ${backend}`, () => {
    useBackend(backend);
    let loss: LossFn;
    beforeAll(() => {
      loss = plugin.create(plugin.configSchema.parse(config), undefined);
    });
    afterAll(() => loss.parameters?.forEach((p) => p.variable.dispose()));

    const run = (s: UnitShard) =>
      tf.tidy(() => {
        const out = loss(lossInput(tf.tensor1d(s.rewards), s));
        return { value: out.lossSum.dataSync()[0], count: out.count };
      });

    it('returns a finite scalar sum and a positive count, leaking nothing', async () => {
      const out = await expectNoTensorLeak(() => run(randomUnitShard(8)));
      expect(out.count).toBeGreaterThan(0);
      expect(Number.isFinite(out.value)).toBe(true);
    });

    it('counts a pair record once (as a pair or as a unit, the same on pair-only data)', () => {
      const pairs = sliceUnits(randomUnitShard(12, 5), 0, 2); // a plain pair and a pair with margin/strength
      expect(run(pairs).count).toBe(2);
    });

    it('is a sum over units: loss(a ++ b) = loss(a) + loss(b), counts add up', () => {
      const whole = randomUnitShard(12, 3);
      const [a, b] = [sliceUnits(whole, 0, 5), sliceUnits(whole, 5, 12)];
      const [w, x, y] = [run(whole), run(a), run(b)];
      expect(Math.abs(w.value - (x.value + y.value))).toBeLessThan(1e-4 * Math.max(1, Math.abs(w.value)));
      expect(w.count).toBeCloseTo(x.count + y.count, 6);
    });

    // float32 forward: h = 1e-2 keeps truncation (~h^2) and rounding (~1e-7/h) errors near 1e-4
    const h = 1e-2;
    const expectFiniteDifferences = (f: (x: tf.Tensor1D) => tf.Scalar, x0: number[]) => {
      const g = tf.tidy(() => Array.from(tf.grad(f as (x: tf.Tensor) => tf.Tensor)(tf.tensor1d(x0)).dataSync()));
      const at = (x: number[]) => tf.tidy(() => f(tf.tensor1d(x)).dataSync()[0]);
      for (let i = 0; i < x0.length; i++) {
        const [plus, minus] = [[...x0], [...x0]];
        plus[i] += h;
        minus[i] -= h;
        const fd = (at(plus) - at(minus)) / (2 * h);
        if (Math.abs(g[i] - fd) >= 2e-3 * Math.max(1, Math.abs(fd))) throw new Error(`d lossSum / d x[${i}]: gradient ${g[i]}, finite difference ${fd}`);
      }
    };

    it('has gradients w.r.t. rankings.rewards (the pairs gathered from them) matching central finite differences', () => {
      const s = randomUnitShard(8, 7);
      expectFiniteDifferences((r) => loss(lossInput(r, s)).lossSum, s.rewards);
    });

    it('has gradients w.r.t. rChosen, rRejected and rankings.rewards, each on its own, matching central finite differences', () => {
      const s = randomUnitShard(8, 9);
      const base = tf.tidy(() => {
        const input = lossInput(tf.tensor1d(s.rewards), s);
        return [...input.rChosen.dataSync(), ...input.rRejected.dataSync()];
      });
      const n = base.length / 2;
      const m = s.rewards.length;
      // x = [rChosen ++ rRejected ++ rewards]: the three views vary independently
      const f = (x: tf.Tensor1D) => {
        const input = lossInput(tf.slice(x, [2 * n], [m]), s);
        return loss({ ...input, rChosen: tf.slice(x, [0], [n]), rRejected: tf.slice(x, [n], [n]) }).lossSum;
      };
      expectFiniteDifferences(f, [...base, ...s.rewards]);
    });
  });
}
