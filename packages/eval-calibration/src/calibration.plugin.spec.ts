import type { PreferencePair } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { calibration, CalibrationConfigSchema, evaluateCalibration, fitTemperature, type ReliabilityBin } from './calibration.plugin';

describeEvalContract(calibration);

const logit = (p: number) => Math.log(p / (1 - p));
const pairs = (n: number): PreferencePair[] => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, prompt: '', chosen: 'a', rejected: 'b' }));
/** Margins as rewards of the chosen response (the rejected one scores 0). */
const scoresOf = (margins: number[]) => ({ chosen: Float64Array.from(margins), rejected: new Float64Array(margins.length), pairs: pairs(margins.length) });

/**
 * A perfectly calibrated model: 10 pairs at p = 0.8 of which 8 are right (margin +logit 0.8) and
 * 2 wrong (-logit 0.8), and 10 pairs at p = 0.6 with 6 right and 4 wrong.
 */
const calibrated = [
  ...Array<number>(8).fill(logit(0.8)),
  ...Array<number>(2).fill(-logit(0.8)),
  ...Array<number>(6).fill(logit(0.6)),
  ...Array<number>(4).fill(-logit(0.6)),
];

describe('calibration', () => {
  const cfg = CalibrationConfigSchema.parse({});

  it('finds ECE 0, the known Brier score and temperature 1 on a perfectly calibrated case', () => {
    const r = evaluateCalibration(cfg, scoresOf(calibrated));
    expect(r.ece).toBeLessThan(1e-12);
    // Brier = mean (1 - p_chosen)^2 = (8 x 0.2^2 + 2 x 0.8^2 + 6 x 0.4^2 + 4 x 0.6^2) / 20 = (1.6 + 2.4) / 20
    expect(r.brier).toBeCloseTo(0.2, 12);
    // NLL = the mean binary entropy of 0.8 and 0.6
    const h = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    expect(r.nll).toBeCloseTo((h(0.8) + h(0.6)) / 2, 12);
    expect(r.temperature).toBeCloseTo(1, 5);
    const table = r.reliability as ReliabilityBin[];
    expect(table.map((b) => [b.n, b.accuracy])).toEqual([[10, 0.6], [10, 0.8]]);
    for (const b of table) expect(b.confidence).toBeCloseTo(b.accuracy, 12);
  });

  it('fits temperature 2 to a model whose margins are twice what they should be, and that calibrates it', () => {
    const over = calibrated.map((m) => 2 * m);
    const r = evaluateCalibration(cfg, scoresOf(over));
    expect(r.temperature).toBeCloseTo(2, 5);
    expect(r.ece).toBeGreaterThan(0.1); // p 0.94 for 80% right, 0.69 for 60%
    expect(r.ece_calibrated).toBeLessThan(1e-6);
    expect(fitTemperature(Float64Array.from(calibrated.map((m) => m / 4)))).toBeCloseTo(0.25, 5);
    // an early model's tiny margins: the temperature that calibrates them is tiny too
    expect(fitTemperature(Float64Array.from(calibrated.map((m) => m / 2000)))).toBeCloseTo(1 / 2000, 8);
  });

  it('scores a model tie as confidence 0.5, half right; all-zero margins keep temperature 1', () => {
    const r = evaluateCalibration(cfg, scoresOf([0, 0]));
    expect(r).toMatchObject({ ece: 0, brier: 0.25, temperature: 1 });
    expect(r.reliability).toEqual([{ lo: 0.5, hi: 0.55, n: 2, confidence: 0.5, accuracy: 0.5 }]);
  });

  it('stays finite for huge margins', () => {
    const r = evaluateCalibration(cfg, scoresOf([1e4, -1e4]));
    expect(r.brier).toBeCloseTo(0.5, 12);
    expect(Number.isFinite(r.nll as number)).toBe(true);
    expect(Number.isFinite(r.temperature as number)).toBe(true);
  });
});
