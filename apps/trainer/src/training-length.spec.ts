import fs from 'node:fs';
import { parseRunConfig, setLogSink } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';
import { resolveRunConfig } from './launch-options';
import { trainingLength } from './training-length';

const trainOf = (train: Record<string, unknown>) => parseRunConfig({ train }).train;

describe('trainingLength', () => {
  it('scales with the data: twice the pairs, twice the steps at fixed epochs', () => {
    const t = trainOf({ epochs: 3, batchSize: 32 });
    expect(trainingLength(t, 1000).steps).toBe(94); // ceil(3 * 1000 / 32) = ceil(93.75)
    expect(trainingLength(t, 2000).steps).toBe(188);
    expect(trainingLength(t, 6000).steps).toBe(563);
    expect(trainingLength(t, 2000).reason).toBe('188 steps = 3.0 epochs of 2,000 pairs at batch 32 (train.epochs 3; --steps overrides)');
  });

  it('rounds up without adding a step to float noise, and trains at least one step', () => {
    expect(trainingLength(trainOf({ epochs: 2, batchSize: 8 }), 16).steps).toBe(4);
    expect(trainingLength(trainOf({ epochs: 0.1, batchSize: 8 }), 16).steps).toBe(1);
  });

  it('--steps wins over epochs, and the log says how many epochs they are', () => {
    const t = trainOf({ steps: 250, epochs: 100, batchSize: 32 });
    expect(trainingLength(t, 1748)).toEqual({ steps: 250, reason: '250 steps (train.steps) = 4.6 epochs of 1,748 pairs at batch 32' });
  });

  it('a resumed run keeps the count it recorded, unless its epochs changed', () => {
    const t = trainOf({ epochs: 3, batchSize: 32 });
    expect(trainingLength(t, 5000, { steps: 94, epochs: 3 }).steps).toBe(94);
    expect(trainingLength(t, 5000, { steps: 94, epochs: 2 }).steps).toBe(469);
    expect(trainingLength(t, 5000, { steps: 94 }).steps).toBe(94); // a run recorded before epochs existed
    expect(trainingLength(t, 5000, {}).steps).toBe(469);
  });

  it('refuses data without pairs', () => {
    expect(() => trainingLength(trainOf({}), 0)).toThrow(/no pairs/);
  });

  describe('the defaults on the embedded sample keep their tuned step counts', () => {
    beforeAll(() => setLogSink(() => undefined));
    afterAll(() => setLogSink(undefined));
    const samplePairs = fs.readFileSync(hhRlhf.train, 'utf8').split('\n').filter((l) => l.trim()).length;
    const base = { bind: 'tcp://127.0.0.1:0' };

    it.each([
      ['bag-of-embeddings', 600],
      ['transformer', 250],
    ])('%s: %d steps', (model, steps) => {
      expect(samplePairs).toBe(1748);
      const cfg = resolveRunConfig({ ...base, model });
      expect(cfg.train.steps).toBeUndefined();
      expect(trainingLength(cfg.train, samplePairs).steps).toBe(steps);
      // and as many passes, not as many steps, over a larger set
      expect(trainingLength(cfg.train, 4 * samplePairs).steps).toBeGreaterThanOrEqual(4 * steps - 3);
    });
  });
});
