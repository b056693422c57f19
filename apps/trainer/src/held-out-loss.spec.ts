import { heldOutLoss } from './held-out-loss';

describe('heldOutLoss', () => {
  it('is log 2 when every margin is zero', () => {
    expect(heldOutLoss([0.3, -1], [0.3, -1])).toBeCloseTo(Math.LN2, 15);
  });

  it('is the mean of -log sigmoid(r_w - r_l)', () => {
    // by hand: margins 1 and -2 -> (log(1 + e^-1) + log(1 + e^2)) / 2
    const want = (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(2))) / 2;
    expect(heldOutLoss([1, 0], [0, 2])).toBeCloseTo(want, 14);
  });

  it('stays finite and exact for huge margins either way', () => {
    expect(heldOutLoss([1000], [0])).toBe(0);
    expect(heldOutLoss([0], [1000])).toBeCloseTo(1000, 10);
    expect(heldOutLoss([40], [0])).toBeCloseTo(Math.exp(-40), 30); // log1p keeps the tiny loss
  });

  it('is 0 for no pairs', () => {
    expect(heldOutLoss([], [])).toBe(0);
  });
});
