/** Loss and accuracy against step, per-batch training figures (raw and smoothed) beside held-out ones. */
import { COLORS, layered, type Chart } from './chart-theme';
import { movingAverage, type MetricPoint } from './training-metrics';

// an SVG path per series with at most this many points: a 100k-step run stays a small page
const MAX_POINTS = 400;

const SERIES = ['train, per batch', 'train, smoothed', 'held-out'] as const;

interface Row {
  readonly step: number;
  readonly value: number;
  readonly series: (typeof SERIES)[number];
}

/** Every k-th element (and the last) so that at most `max` remain. */
function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const k = Math.ceil(xs.length / max);
  return xs.filter((_, i) => i % k === 0 || i === xs.length - 1);
}

function rows(points: readonly MetricPoint[], field: 'loss' | 'accuracy'): Row[] {
  const train = points.filter((p) => p.kind === 'train' && p[field] !== undefined);
  const held = points.filter((p) => p.kind === 'eval' && p[field] !== undefined);
  const raw = train.map((p) => p[field] as number);
  // about 1/25 of the run per window: smooth enough to read a batch-of-32 accuracy, short enough to keep the shape
  const smooth = movingAverage(raw, Math.max(1, Math.round(raw.length / 25)));
  return [
    ...thin(train.map((p, i) => ({ step: p.step, value: raw[i], series: SERIES[0] })), MAX_POINTS),
    ...thin(train.map((p, i) => ({ step: p.step, value: smooth[i], series: SERIES[1] })), MAX_POINTS),
    ...thin(held.map((p) => ({ step: p.step, value: p[field] as number, series: SERIES[2] })), MAX_POINTS),
  ];
}

function curve(points: readonly MetricPoint[], field: 'loss' | 'accuracy'): object | undefined {
  const values = rows(points, field);
  if (values.length === 0) return undefined;
  const present = SERIES.filter((s) => values.some((r) => r.series === s));
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: present, range: present.map((s) => (s === SERIES[0] ? COLORS.trainRaw : s === SERIES[1] ? COLORS.train : COLORS.eval)) },
  };
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = { field: 'value', type: 'quantitative', title: field, scale: { zero: false } };
  const layer: object[] = [
    { mark: { type: 'line', strokeWidth: 1.8, interpolate: 'monotone' }, encoding: { x, y, color, order: { field: 'step' } } },
    { transform: [{ filter: `datum.series === '${SERIES[2]}'` }], mark: { type: 'point', filled: true, size: 36 }, encoding: { x, y, color } },
  ];
  // chance level: a model that has learnt nothing scores 0.5 (accuracy) or log 2 (loss)
  if (field === 'accuracy') layer.push({ data: { values: [{ y: 0.5 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: COLORS.reference }, encoding: { y: { field: 'y', type: 'quantitative' } } });
  return layered(values, layer);
}

/** The loss and accuracy charts that the metrics hold (none for an empty or missing log). */
export function trainingCharts(points: readonly MetricPoint[]): Chart[] {
  const charts: Chart[] = [];
  const loss = curve(points, 'loss');
  if (loss) charts.push({ id: 'training-loss', title: 'Training loss', caption: 'Pairwise loss per step: each training batch (light), its moving average, and the held-out set when it was evaluated.', spec: loss });
  const acc = curve(points, 'accuracy');
  if (acc) charts.push({ id: 'training-accuracy', title: 'Training accuracy', caption: 'Share of pairs ranked correctly per step; the dashed line is chance (0.5).', spec: acc });
  return charts;
}
