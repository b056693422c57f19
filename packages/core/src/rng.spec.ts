import { Rng } from './rng';

describe('Rng', () => {
  it('is reproducible from a seed and from a saved state', () => {
    const a = new Rng(42);
    a.nextUint32();
    const b = new Rng(a.state());
    expect([a.nextFloat(), a.nextFloat()]).toEqual([b.nextFloat(), b.nextFloat()]);
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
  });

  it('draws uniformly in [0, 1): mean, variance and every decile within sampling error', () => {
    const rng = new Rng(7);
    const n = 100_000;
    const deciles = new Array<number>(10).fill(0);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      sq += x * x;
      deciles[Math.floor(x * 10)]++;
    }
    // standard errors: mean sqrt(1/12n) = 0.0009, a decile's count sqrt(n 0.09) = 95
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    for (const c of deciles) expect(Math.abs(c - n / 10)).toBeLessThan(500);
  });
});
