import type { EvalPlugin, EvalReport, PairScores } from '@rewardkit/core';
import { decidedPairs } from '@rewardkit/eval-math';
import { z } from 'zod';

export const CalibrationConfigSchema = z
  .object({
    /** Equal-width bins of confidence over [0.5, 1] for the reliability table and ECE. */
    bins: z.number().int().min(1).max(100).default(10),
  })
  .strict();
export type CalibrationConfig = z.infer<typeof CalibrationConfigSchema>;

/** One reliability bin: pairs whose confidence max(p, 1 - p) lies in [lo, hi), their mean confidence and accuracy. */
export interface ReliabilityBin {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly confidence: number;
  readonly accuracy: number;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** -log sigmoid(x), stable for large |x|. */
const softplusNeg = (x: number) => (x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));

/**
 * Top-label reliability of p = sigmoid(r_w - r_l / T): each pair's confidence is max(p, 1 - p) and
 * it is right when the side it favours won (a model tie, p = 0.5, is half right). ECE is the
 * n-weighted mean |accuracy - confidence| over the bins.
 */
export function reliability(margins: Float64Array, bins: number, temperature = 1): { ece: number; table: ReliabilityBin[] } {
  const n = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  for (const m of margins) {
    const p = sigmoid(m / temperature);
    const c = Math.max(p, 1 - p);
    const b = Math.min(bins - 1, Math.floor(((c - 0.5) / 0.5) * bins));
    n[b]++;
    conf[b] += c;
    acc[b] += p > 0.5 ? 1 : p < 0.5 ? 0 : 0.5;
  }
  let ece = 0;
  const table: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (!n[b]) continue;
    const row = { lo: 0.5 + (0.5 * b) / bins, hi: 0.5 + (0.5 * (b + 1)) / bins, n: n[b], confidence: conf[b] / n[b], accuracy: acc[b] / n[b] };
    ece += (row.n / margins.length) * Math.abs(row.accuracy - row.confidence);
    table.push(row);
  }
  return { ece, table };
}

/** Mean negative log-likelihood of the observed winners at temperature T. */
export function nll(margins: Float64Array, temperature = 1): number {
  let s = 0;
  for (const m of margins) s += softplusNeg(m / temperature);
  return margins.length ? s / margins.length : 0;
}

/**
 * The temperature T that minimises the NLL of sigmoid(margin / T): NLL is convex in 1/T, so a
 * golden-section search over log T in [1e-6, 1e6] finds it (to ~1e-7 relative; an early model's
 * margins can be 1e-3 of what they should be). T > 1 means the model is over-confident (divide its
 * margins by T), T < 1 under-confident. All-zero margins: 1; separable data drives T to the bound.
 */
export function fitTemperature(margins: Float64Array): number {
  if (!margins.some((m) => m !== 0)) return 1;
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(1e-6);
  let b = Math.log(1e6);
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = nll(margins, Math.exp(c));
  let fd = nll(margins, Math.exp(d));
  while (b - a > 1e-7) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = nll(margins, Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = nll(margins, Math.exp(d));
    }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Calibration of the Bradley-Terry probability that the chosen response wins, sigmoid(r_w - r_l),
 * over pairs with a winner: ECE, Brier score (mean (1 - p)^2), NLL, a reliability table, and the
 * fitted temperature (saved with the export beside the reward statistics) with the ECE it leaves.
 */
export function evaluateCalibration(cfg: CalibrationConfig, scores: PairScores): EvalReport {
  const idx = decidedPairs(scores);
  const margins = Float64Array.from(idx, (i) => scores.chosen[i] - scores.rejected[i]);
  let brier = 0;
  for (const m of margins) brier += (1 - sigmoid(m)) ** 2;
  const { ece, table } = reliability(margins, cfg.bins);
  const temperature = fitTemperature(margins);
  return {
    ece,
    brier: margins.length ? brier / margins.length : 0,
    nll: nll(margins),
    temperature,
    ece_calibrated: reliability(margins, cfg.bins, temperature).ece,
    reliability: table,
  };
}

export const calibration: EvalPlugin<CalibrationConfig> = {
  kind: 'eval',
  name: 'calibration',
  description: 'calibration of sigmoid(r_w - r_l): ECE, Brier, NLL, reliability table, fitted temperature',
  configSchema: CalibrationConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateCalibration(cfg, scores) }),
};
