import { DataError, unitPairs, type DataPlugin } from '@rewardkit/core';
import { describePluginContract } from './plugin-contract';

/**
 * The shared suite every data loader runs, given a valid sample file of its format:
 * every pair has an id and non-empty, different responses; the records, when the loader returns
 * them (`units`), expand to exactly its pairs; a missing file is a DataError.
 */
export function describeDataContract(plugin: DataPlugin, sampleFile: string, config: unknown = {}): void {
  describePluginContract(plugin);
  describe(`data contract: ${plugin.name}`, () => {
    const loader = plugin.create(plugin.configSchema.parse(config), undefined);

    it('loads pairs with ids and two different, non-empty responses', async () => {
      const { pairs, skipped } = await loader.load(sampleFile, { skipInvalid: false });
      expect(pairs.length).toBeGreaterThan(0);
      expect(skipped).toHaveLength(0);
      for (const p of pairs) {
        expect(p.id).toBeTruthy();
        expect(JSON.stringify(p.chosen)).not.toBe(JSON.stringify(p.rejected));
        expect(p.chosen.length).toBeGreaterThan(0);
        expect(p.rejected.length).toBeGreaterThan(0);
      }
    });

    it('returns records (units) that expand to its pairs, when it returns them', async () => {
      const { pairs, units } = await loader.load(sampleFile, { skipInvalid: false });
      if (units) expect(unitPairs(units).map((p) => p.id)).toEqual(pairs.map((p) => p.id));
    });

    it('reports a missing file as a DataError naming it', async () => {
      const missing = `${sampleFile}.does-not-exist`;
      await expect(loader.load(missing, { skipInvalid: false })).rejects.toThrow(DataError);
      await expect(loader.load(missing, { skipInvalid: false })).rejects.toThrow(missing);
    });
  });
}
