/** The held-out set's charts: reliability, margins, accuracy by bucket, sections with their intervals. */
import { COLORS, HEIGHT, layered, WIDTH, type Chart } from './chart-theme';
import { bucketLabel, figure, percent } from './format';
import type { MarginBin } from './margin-histogram';
import type { Bucket, ReliabilityBin, Section } from './report-figures';

const accuracyAxis = { type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } } as const;

/** A dashed vertical reference line at x = `value`, labelled at its top. */
function xReference(value: number, label: string, color: string = COLORS.reference): object[] {
  const x = { field: 'v', type: 'quantitative' };
  const values = [{ v: value, label }];
  return [
    { data: { values }, mark: { type: 'rule', strokeDash: [4, 4], color }, encoding: { x } },
    { data: { values }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 0, fontSize: 10, color }, encoding: { x, text: { field: 'label' } } },
  ];
}

export interface Reference {
  readonly v: number;
  readonly label: string;
  readonly color: string;
}

// the least vertical distance between two reference labels, and the room they take right of the plot, in pixels
const LABEL_GAP = 12;
const LABEL_ROOM = 90;
// the most a section name may take left of its bar (the table below has it whole)
const NAME_ROOM = 150;

/**
 * Dashed horizontal accuracy references (chance, overall, a baseline), labelled right of the plot
 * where no bar covers them; labels closer than LABEL_GAP are pushed apart, lines stay where they are.
 */
function yReferences(refs: readonly Reference[], width: number): object[] {
  const sorted = [...refs].sort((a, b) => b.v - a.v);
  let last = -Infinity;
  const placed = sorted.map((r) => {
    const at = Math.max(HEIGHT * (1 - r.v), last + LABEL_GAP);
    last = at;
    return { ...r, dy: at - HEIGHT * (1 - r.v) };
  });
  return placed.flatMap((r) => {
    const values = [{ v: r.v, label: r.label }];
    const y = { field: 'v', type: 'quantitative' };
    return [
      { data: { values }, mark: { type: 'rule', strokeDash: [4, 4], color: r.color }, encoding: { y } },
      { data: { values }, mark: { type: 'text', align: 'left', baseline: 'middle', x: width + 4, dy: r.dy, fontSize: 10, color: r.color }, encoding: { y, text: { field: 'label' } } },
    ];
  });
}

/** Predicted probability sigmoid(r_w - r_l) against how often it was right; calibrated points sit on the diagonal. */
export function reliabilityChart(bins: readonly ReliabilityBin[], ece?: number): Chart | undefined {
  const rows = bins.filter((b) => b.n > 0);
  if (rows.length === 0) return undefined;
  // a BT probability is usually reported for the predicted winner (>= 0.5): then the lower half is empty space
  const lo = rows.every((b) => b.confidence >= 0.5 && (b.lo === null || b.lo >= 0.5)) ? 0.5 : 0;
  const scale = { domain: [lo, 1] };
  const x = { field: 'confidence', type: 'quantitative', title: 'predicted probability', scale };
  const y = { field: 'accuracy', type: 'quantitative', title: 'observed accuracy', scale, axis: { format: '.0%' } };
  return {
    id: 'reliability',
    title: 'Reliability',
    caption: `Each point is a bin of pairs (area ∝ pairs): mean predicted probability against the share ranked correctly. On the dashed diagonal the probabilities are calibrated.${ece === undefined ? '' : ` ECE ${figure(ece)}.`}`,
    spec: layered(rows, [
      { data: { values: [{ p: lo }, { p: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: COLORS.reference, strokeWidth: 1 }, encoding: { x: { field: 'p', type: 'quantitative', scale }, y: { field: 'p', type: 'quantitative', scale } } },
      { mark: { type: 'line', color: COLORS.bar, strokeWidth: 1.5 }, encoding: { x, y } },
      { mark: { type: 'point', filled: true, color: COLORS.bar, opacity: 0.85 }, encoding: { x, y, size: { field: 'n', type: 'quantitative', title: 'pairs', scale: { range: [20, 300] }, legend: null } } },
    ], { height: WIDTH * 0.6, width: WIDTH * 0.6 }),
  };
}

/** Histogram of per-pair margins, bins left of 0 (rejected scored higher) in the second colour. */
export function marginChart(bins: readonly MarginBin[]): Chart | undefined {
  if (bins.length === 0) return undefined;
  const right = 'r_w > r_l';
  const wrong = 'r_w < r_l';
  const values = bins.map((b) => ({ ...b, side: b.lo >= 0 ? right : wrong }));
  return {
    id: 'margin-histogram',
    title: 'Margins',
    caption: 'Per-pair margin r(chosen) − r(rejected); pairs left of 0 are ranked wrongly (a bin starting at 0 holds the ties).',
    spec: layered(values, [
      {
        mark: { type: 'bar', binSpacing: 1 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: 'margin r_w − r_l', bin: { binned: true } },
          x2: { field: 'hi' },
          y: { field: 'n', type: 'quantitative', title: 'pairs' },
          color: { field: 'side', type: 'nominal', title: null, scale: { domain: [right, wrong], range: [COLORS.good, COLORS.bad] } },
        },
      },
      { data: { values: [{ v: 0 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: COLORS.reference }, encoding: { x: { field: 'v', type: 'quantitative' } } },
    ]),
  };
}

/** Accuracy per bucket as bars labelled with their pair counts, with chance and reference lines. */
export function bucketChart(id: string, title: string, caption: string, axisTitle: string, buckets: readonly Bucket[], refs: readonly Reference[] = []): Chart | undefined {
  const rows = buckets.filter((b) => b.n > 0).map((b) => ({ ...b, label: bucketLabel(b), nLabel: `n=${figure(b.n)}` }));
  if (rows.length === 0) return undefined;
  // slanted labels when level ones (about 6 px a character at 11 px) would run into each other
  const crowded = rows.length * Math.max(...rows.map((r) => r.label.length)) * 6 > WIDTH - LABEL_ROOM;
  const x = { field: 'label', type: 'ordinal', title: axisTitle, sort: null, axis: { labelAngle: crowded ? -30 : 0 } };
  return {
    id,
    title,
    caption,
    spec: layered(rows, [
      { mark: { type: 'bar', color: COLORS.bar }, encoding: { x, y: { field: 'accuracy', ...accuracyAxis } } },
      { mark: { type: 'text', dy: -4, baseline: 'bottom', fontSize: 10, color: '#374151' }, encoding: { x, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'nLabel' } } },
      ...yReferences([{ v: 0.5, label: 'chance', color: COLORS.reference }, ...refs], WIDTH - LABEL_ROOM),
    ], { width: WIDTH - LABEL_ROOM }),
  };
}

/** Accuracy per section (horizontal bars) with its 95% interval, and the overall score as a line. */
export function sectionChart(sections: readonly Section[], overall?: number): Chart | undefined {
  if (sections.length === 0) return undefined;
  const rows = sections.map((s) => ({ name: s.name, accuracy: s.accuracy, n: s.n, lo: s.ci?.[0], hi: s.ci?.[1], label: `${percent(s.accuracy)} (n=${figure(s.n)})` }));
  const y = { field: 'name', type: 'nominal', title: null, sort: null, axis: { labelLimit: NAME_ROOM } };
  const layer: object[] = [
    { mark: { type: 'bar', color: COLORS.bar, opacity: 0.85, height: { band: 0.6 } }, encoding: { y, x: { field: 'accuracy', ...accuracyAxis } } },
    { transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'errorbar', ticks: { size: 8 }, color: '#111827', thickness: 1.5 }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: 'accuracy' }, x2: { field: 'hi' } } },
    { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#374151' }, encoding: { y, x: { value: 0 }, text: { field: 'label' }, color: { value: 'white' } } },
  ];
  if (overall !== undefined) layer.push(...xReference(overall, `overall ${percent(overall)}`, COLORS.eval));
  return {
    id: 'sections',
    title: 'Accuracy by section',
    caption: 'Bars: each section\'s accuracy (its subsets weighted by size); whiskers: its 95% interval; the line: the overall score, the mean of the sections.',
    // the names take the room they need (up to NAME_ROOM, then cut with an ellipsis) out of the plot's width
    spec: layered(rows, layer, { height: Math.max(HEIGHT / 2, 36 * rows.length), width: WIDTH - Math.min(NAME_ROOM, 6 * Math.max(...rows.map((r) => r.name.length))) }),
  };
}
