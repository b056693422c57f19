import { DynamicLossScale, gradientsFinite } from './loss-scale';

describe('DynamicLossScale', () => {
  it('gradientsFinite sees Inf and NaN in the gradient, not in the counts behind it', () => {
    expect(gradientsFinite(Float32Array.from([1, -0, 3e38, -2]))).toBe(true);
    expect(gradientsFinite(Float32Array.from([1, Infinity]))).toBe(false);
    expect(gradientsFinite(Float32Array.from([-Infinity, 1]))).toBe(false);
    expect(gradientsFinite(Float32Array.from([1, NaN, 2]))).toBe(false);
    expect(gradientsFinite(Float32Array.from([2, 4, Infinity]), 2)).toBe(true);
  });

  it('halves and skips on a non-finite step, doubles after growthInterval finite steps in a row', () => {
    const s = new DynamicLossScale({ initScale: 1024, growthInterval: 3 });
    expect([s.update(true).skipped, s.update(true).skipped, s.scale]).toEqual([false, false, 1024]);
    expect(s.update(true).skipped).toBe(false);
    expect(s.scale).toBe(2048); // third finite step in a row
    s.update(true);
    s.update(true);
    expect(s.update(false)).toEqual({ skipped: true }); // overflow resets the streak
    expect(s.scale).toBe(1024);
    s.update(true);
    s.update(true);
    expect(s.scale).toBe(1024); // two good steps since the overflow: not yet
    s.update(true);
    expect(s.scale).toBe(2048);
  });

  it('stays within [minScale, maxScale]', () => {
    const s = new DynamicLossScale({ initScale: 4, minScale: 1, maxScale: 8, growthInterval: 1 });
    for (let i = 0; i < 5; i++) s.update(false);
    expect(s.scale).toBe(1);
    for (let i = 0; i < 10; i++) s.update(true);
    expect(s.scale).toBe(8);
  });

  it('a skipped step in a short run: scale, overflow, back off, recover', () => {
    // The loss of a model whose gradient overflows f16 (65504) at the starting scale.
    const s = new DynamicLossScale({ initScale: 2 ** 16, growthInterval: 2 });
    const F16_MAX = 65504;
    const trueGrad = 4; // the unscaled gradient; scaled it must stay below F16_MAX
    const skipped: boolean[] = [];
    for (let step = 0; step < 8; step++) {
      const scaled = trueGrad * s.scale;
      const g = Float32Array.of(scaled > F16_MAX ? Infinity : scaled);
      const finite = gradientsFinite(g);
      if (finite) expect(g[0] / s.scale).toBe(trueGrad); // the replica divides by count * scale
      skipped.push(s.update(finite).skipped);
    }
    // 2^16 * 4, 2^15 * 4 and 2^14 * 4 = 65536 overflow; 2^13 * 4 fits; two good steps grow it to
    // 2^14, which overflows again; two more good steps at 2^13 grow it to 2^14 once more
    expect(skipped).toEqual([true, true, true, false, false, true, false, false]);
    expect(s.state()).toEqual({ scale: 2 ** 14, goodSteps: 0 });
  });

  it('state round-trips and bad settings are refused', () => {
    const a = new DynamicLossScale({ initScale: 64, growthInterval: 5 });
    a.update(true);
    a.update(true);
    const b = new DynamicLossScale({ growthInterval: 5 });
    b.restore(a.state());
    expect(b.state()).toEqual({ scale: 64, goodSteps: 2 });
    expect(() => b.restore({ scale: 0, goodSteps: 0 })).toThrow(/cannot restore scale 0/);
    expect(() => new DynamicLossScale({ backoffFactor: 1 })).toThrow(RangeError);
    expect(() => new DynamicLossScale({ initScale: 0.5 })).toThrow(/minScale <= initScale/);
  });
});
