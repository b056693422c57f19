/**
 * A complete set of report figures for the report's tests, of the shape the evaluator plugins
 * produce, with per-pair margins and a metrics log. Numbers are plausible, not computed.
 */
import type { ReportInput } from './write-report';
import { parseMetricsLog } from './training-metrics';

/** Deterministic margins: mostly positive, some negative, a few exact ties. */
export function fixtureMargins(n: number): number[] {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0 : 0.15 + 0.4 * (rand() + rand() + rand() - 1.5)));
}

export function fixtureMetricsLog(steps: number): string {
  const lines: string[] = ['{"kind":"start","step":0}'];
  for (let step = 1; step <= steps; step++) {
    const loss = 0.693 - 0.1 * (1 - Math.exp(-step / 150)) + 0.04 * Math.sin(step * 1.7);
    lines.push(JSON.stringify({ kind: 'train', step, loss, accuracy: 0.5 + 0.15 * (1 - Math.exp(-step / 150)) + 0.1 * Math.sin(step * 2.3), lr: 1e-3 }));
    if (step % 100 === 0) lines.push(JSON.stringify({ kind: 'eval', step, loss: loss + 0.02, accuracy: 0.6 + 0.03 * (1 - Math.exp(-step / 200)) }));
  }
  return lines.join('\n') + '\n';
}

export function fixtureInput(): ReportInput {
  const bucket = (lo: number | null, hi: number | null, n: number, accuracy: number) => ({ lo, hi, n, accuracy });
  return {
    model: 'runs/default/final',
    data: 'packages/sample-data/hh-rlhf/test.jsonl',
    margins: fixtureMargins(555),
    training: { file: 'runs/default/metrics.jsonl', ...parseMetricsLog(fixtureMetricsLog(600)) },
    figures: {
      accuracy: 0.627, accuracy_ci: [0.587, 0.667], ties: 0, tie_rate: 0, n: 555,
      reward_mean: -0.21, reward_std: 0.35, margin_mean: 0.147,
      margin_buckets: [bucket(null, -0.5, 20, 0), bucket(-0.5, 0, 180, 0), bucket(0, 0.5, 250, 1), bucket(0.5, null, 105, 1)],
      ece: 0.043, brier: 0.231, temperature: 1.8,
      reliability: [
        { lo: 0.5, hi: 0.6, n: 260, confidence: 0.55, accuracy: 0.58 },
        { lo: 0.6, hi: 0.7, n: 180, confidence: 0.64, accuracy: 0.66 },
        { lo: 0.7, hi: 0.8, n: 90, confidence: 0.74, accuracy: 0.7 },
        { lo: 0.8, hi: 0.9, n: 25, confidence: 0.83, accuracy: 0.76 },
      ],
      longer_wins: 0.474, length_reward_corr: 0.08,
      length_buckets: [bucket(null, -50, 120, 0.64), bucket(-50, -10, 110, 0.61), bucket(-10, 10, 100, 0.6), bucket(10, 50, 115, 0.63), bucket(50, null, 110, 0.65)],
      sections: [
        { name: 'helpful', n: 300, accuracy: 0.64, ci: [0.585, 0.693], subsets: [{ name: 'helpful-base', n: 200, accuracy: 0.65 }, { name: 'helpful-online', n: 100, accuracy: 0.62 }] },
        { name: 'harmless', n: 255, accuracy: 0.61, ci: [0.55, 0.67], subsets: [{ name: 'harmless-base', n: 255, accuracy: 0.61 }] },
      ],
      sections_overall: 0.625,
      health: { duplicates: 2, identical: 0, truncated_identical: 1, shared_prompts: 3 },
      skipped: 0, truncated: 14,
    },
  };
}
