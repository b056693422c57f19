import { BatchSampler } from './batch-sampler';
import { clipGradNorm } from './clip-grad-norm';
import { shardByTokens } from './shard-by-tokens';

describe('BatchSampler', () => {
  it('visits every item once per epoch (minus the dropped remainder) in a seeded order', () => {
    const s = new BatchSampler({ size: 10, batchSize: 3, seed: 1 });
    const seen = [s.next(), s.next(), s.next()].flat();
    expect(new Set(seen).size).toBe(9);
    const again = new BatchSampler({ size: 10, batchSize: 3, seed: 1 });
    expect(again.next()).toEqual(seen.slice(0, 3));
    const other = new BatchSampler({ size: 10, batchSize: 3, seed: 2 });
    expect([other.next(), other.next(), other.next()].flat()).not.toEqual(seen);
  });

  it('resumes exactly from a saved state, across epoch boundaries', () => {
    const a = new BatchSampler({ size: 20, batchSize: 4, seed: 9 });
    for (let i = 0; i < 7; i++) a.next();
    const state = a.state();
    const b = new BatchSampler({ size: 20, batchSize: 4, seed: 9 });
    b.restore(state);
    for (let i = 0; i < 12; i++) expect(b.next()).toEqual(a.next());
  });

  it('groups similar lengths when bucketing, cutting padding', () => {
    const lengths = Array.from({ length: 400 }, (_, i) => (i * 7919) % 300);
    const padding = (s: BatchSampler) => {
      let pad = 0;
      for (let i = 0; i < s.batchesPerEpoch; i++) {
        const b = s.next();
        const max = Math.max(...b.map((j) => lengths[j]));
        pad += b.reduce((acc, j) => acc + max - lengths[j], 0);
      }
      return pad;
    };
    const plain = padding(new BatchSampler({ size: 400, batchSize: 8, seed: 1 }));
    const bucketed = padding(new BatchSampler({ size: 400, batchSize: 8, seed: 1, lengths }));
    expect(bucketed).toBeLessThan(plain / 5);
  });

  it('refuses a batch larger than the data', () => {
    expect(() => new BatchSampler({ size: 3, batchSize: 4, seed: 1 })).toThrow(/batch size 4 exceeds the 3/);
  });
});

describe('shardByTokens', () => {
  const pair = (len: number, i: number) => ({
    id: `p${i}`,
    chosen: new Int32Array(len),
    rejected: new Int32Array(len),
    promptLength: 0,
    margin: 0,
  });

  it('keeps every pair exactly once and balances token counts', () => {
    const pairs = [50, 3, 40, 8, 30, 20, 20, 9, 1, 5].map(pair);
    const shards = shardByTokens(pairs, 3);
    expect(shards.flat().map((p) => p.id).sort()).toEqual(pairs.map((p) => p.id).sort());
    const loads = shards.map((s) => s.reduce((a, p) => a + 2 * p.chosen.length, 0));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(2 * 10);
  });

  it('keeps a ranking whole on one shard and weighs it by all its responses', () => {
    const ranking = (K: number, len: number, i: number) => ({ id: `r${i}`, responses: Array.from({ length: K }, () => new Int32Array(len)), ranks: new Int32Array(K), promptLength: 0 });
    const units = [ranking(8, 10, 0), pair(10, 1), pair(10, 2), ranking(2, 10, 3), pair(5, 4), pair(5, 5)];
    const shards = shardByTokens(units, 2);
    expect(shards.flat().map((u) => u.id).sort()).toEqual(units.map((u) => u.id).sort());
    // the 8-response ranking (80 tokens) outweighs everything else (70): it sits alone
    expect(shards.find((s) => s.some((u) => u.id === 'r0'))!.map((u) => u.id)).toEqual(['r0']);
  });

  it('leaves shards empty when there are fewer pairs than workers', () => {
    const shards = shardByTokens([pair(4, 0)], 3);
    expect(shards.map((s) => s.length).sort()).toEqual([0, 0, 1]);
  });
});

describe('clipGradNorm', () => {
  it('scales to the max norm and returns the norm before clipping', () => {
    const g = Float32Array.from([3, 4]);
    expect(clipGradNorm(g, 1)).toBeCloseTo(5);
    expect(Math.hypot(g[0], g[1])).toBeCloseTo(1);
    const small = Float32Array.from([0.3, 0.4]);
    clipGradNorm(small, 1);
    expect(Array.from(small)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });
});
