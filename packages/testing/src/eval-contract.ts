import type { EvalPlugin, PreferencePair } from '@rewardkit/core';
import { describePluginContract } from './plugin-contract';
import { lcg } from './random-batch';

/** The shared suite every evaluator runs: numeric, finite, JSON-serialisable reports. */
export function describeEvalContract(plugin: EvalPlugin, config: unknown = {}): void {
  describePluginContract(plugin);
  describe(`eval contract: ${plugin.name}`, () => {
    const evaluator = plugin.create(plugin.configSchema.parse(config), undefined);
    const rand = lcg(5);
    const n = 20;
    const pairs: PreferencePair[] = Array.from({ length: n }, (_, i) => ({ id: `p${i}`, prompt: 'q', chosen: 'a', rejected: 'b' }));
    const chosen = Float64Array.from({ length: n }, () => rand());
    const rejected = Float64Array.from({ length: n }, () => rand());

    it('reports finite numbers that survive JSON', () => {
      const report = evaluator.evaluate({ chosen, rejected, pairs });
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
      for (const v of Object.values(report)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    });

    it('copes with an empty set', () => {
      expect(() => evaluator.evaluate({ chosen: new Float64Array(0), rejected: new Float64Array(0), pairs: [] })).not.toThrow();
    });
  });
}
