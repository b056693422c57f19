import { WeightAverage } from './weight-average';

/** The bias-corrected EMA in closed form, float64: sum_t (1 - d) d^(T-t) theta_t / (1 - d^T). */
function referenceAverage(thetas: number[][], d: number): number[] {
  const T = thetas.length;
  return thetas[0].map((_, i) => thetas.reduce((s, th, t) => s + (1 - d) * d ** (T - 1 - t) * th[i], 0) / (1 - d ** T));
}

/** A deterministic walk of parameters, like an optimizer's. */
function walk(steps: number, size: number): number[][] {
  const out: number[][] = [];
  let x = Array.from({ length: size }, (_, i) => Math.sin(i + 1));
  for (let t = 0; t < steps; t++) {
    x = x.map((v, i) => v + 0.01 * Math.cos(3 * t + i) - 0.001 * v);
    out.push(x);
  }
  return out;
}

describe('WeightAverage', () => {
  it('matches the closed-form bias-corrected EMA (float64) over a run', () => {
    const thetas = walk(300, 7);
    for (const d of [0.9, 0.99, 0.999]) {
      const avg = new WeightAverage(d, 7);
      for (const th of thetas) avg.update(Float32Array.from(th));
      const ref = referenceAverage(thetas.map((th) => Array.from(Float32Array.from(th))), d);
      avg.average.forEach((x, i) => expect(Math.abs(x - ref[i])).toBeLessThan(2e-6));
      expect(avg.updates).toBe(300);
    }
  });

  it('is the parameters themselves after one update (no weight on the zero start)', () => {
    const avg = new WeightAverage(0.99, 3);
    avg.update(Float32Array.from([1.5, -2, 0.25]));
    expect(Array.from(avg.average)).toEqual([1.5, -2, 0.25]);
  });

  it('weighs recent steps more: a jump shows up as 1 - d^k after k steps', () => {
    const avg = new WeightAverage(0.9, 1);
    for (let t = 0; t < 200; t++) avg.update(Float32Array.from([0])); // long past: the bias correction is ~1
    for (let k = 0; k < 5; k++) avg.update(Float32Array.from([1]));
    expect(avg.average[0]).toBeCloseTo(1 - 0.9 ** 5, 6);
  });

  it('restores its state exactly: a resumed average continues bit for bit', () => {
    const thetas = walk(40, 5).map((th) => Float32Array.from(th));
    const a = new WeightAverage(0.98, 5);
    for (const th of thetas.slice(0, 25)) a.update(th);
    const b = new WeightAverage(0.98, 5);
    b.restore(a.state());
    for (const th of thetas.slice(25)) {
      a.update(th);
      b.update(th);
    }
    expect(Array.from(b.average)).toEqual(Array.from(a.average));
    expect(b.updates).toBe(40);
  });

  it('refuses a decay outside (0, 1) and a state of another size', () => {
    expect(() => new WeightAverage(1, 3)).toThrow(/decay must be in \(0, 1\)/);
    expect(() => new WeightAverage(0, 3)).toThrow(/decay/);
    expect(() => new WeightAverage(0.9, 3).restore({ updates: 1, average: new Float32Array(2) })).toThrow(/2 values for an average of 3/);
  });
});
