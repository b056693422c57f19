/**
 * Training curves from a run's metrics.jsonl (apps/trainer/src/metrics-log.ts): the trainer writes it
 * in the run directory, one level above the exported model (OUT/final), so both places are looked at.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface MetricPoint {
  readonly kind: 'train' | 'eval';
  readonly step: number;
  readonly loss?: number;
  readonly accuracy?: number;
}

export interface TrainingMetrics {
  readonly file: string;
  readonly points: readonly MetricPoint[];
  /** Lines that were not a JSON object (a run killed mid-write leaves a partial last line). */
  readonly unreadable: number;
}

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Train and eval points of `text`, one per (kind, step): a resumed run repeats steps, and the last write wins. */
export function parseMetricsLog(text: string): { points: MetricPoint[]; unreadable: number } {
  const byKey = new Map<string, MetricPoint>();
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      unreadable++;
      continue;
    }
    const step = finite(rec?.step);
    if ((rec?.kind !== 'train' && rec?.kind !== 'eval') || step === undefined) continue;
    const key = `${rec.kind}:${step}`;
    byKey.delete(key); // re-insert so the map's order is the order of the latest writes
    byKey.set(key, { kind: rec.kind, step, loss: finite(rec.loss), accuracy: finite(rec.accuracy) });
  }
  return { points: [...byKey.values()].sort((a, b) => a.step - b.step), unreadable };
}

/** The metrics of the run that exported `modelDir`, or undefined when neither it nor its parent has a metrics.jsonl. */
export function readTrainingMetrics(modelDir: string): TrainingMetrics | undefined {
  for (const file of [path.join(modelDir, 'metrics.jsonl'), path.join(path.dirname(path.resolve(modelDir)), 'metrics.jsonl')]) {
    if (fs.existsSync(file)) return { file, ...parseMetricsLog(fs.readFileSync(file, 'utf8')) };
  }
  return undefined;
}

/** Centred moving average over `window` points (per-batch train figures are too noisy to read raw). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const half = Math.floor(Math.max(1, window) / 2);
  const prefix = [0];
  for (const v of values) prefix.push(prefix[prefix.length - 1] + v);
  return values.map((_, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(values.length, i + half + 1);
    return (prefix[hi] - prefix[lo]) / (hi - lo);
  });
}
