/** The report's plain-HTML parts: headline cards and tables of every figure the charts summarise. */
import { bucketLabel, escapeHtml as esc, figure, percent } from './format';
import { bucketsOf, healthOf, intervalOf, numberOf, reliabilityOf, sectionsOf, type Figures } from './report-figures';

interface Card {
  readonly label: string;
  readonly value: string;
  readonly note?: string;
  readonly primary?: boolean;
}

const card = (c: Card) =>
  `<div class="card${c.primary ? ' primary' : ''}"><div class="label">${esc(c.label)}</div><div class="value">${esc(c.value)}</div>${c.note ? `<div class="note">${esc(c.note)}</div>` : ''}</div>`;

/** Headline figures, each card only when its figure is there. */
export function headlineCards(f: Figures): string {
  const cards: Card[] = [];
  const add = (key: string, make: (v: number) => Card) => {
    const v = numberOf(f, key);
    if (v !== undefined) cards.push(make(v));
  };
  const ci = intervalOf(f.accuracy_ci);
  const n = numberOf(f, 'n');
  add('accuracy', (v) => ({ label: 'Accuracy', value: percent(v), note: [ci && `95% CI ${percent(ci[0])}–${percent(ci[1])}`, n !== undefined && `${figure(n)} pairs`].filter(Boolean).join(', '), primary: true }));
  add('sections_overall', (v) => ({ label: 'Sections score', value: percent(v), note: 'mean of the sections' }));
  add('ties', (v) => ({ label: 'Ties', value: figure(v), note: numberOf(f, 'tie_rate') !== undefined ? `${percent(numberOf(f, 'tie_rate') as number)} of pairs, counted ½` : 'counted ½' }));
  add('reward_mean', (v) => ({ label: 'Reward mean', value: figure(v), note: numberOf(f, 'reward_std') !== undefined ? `std ${figure(numberOf(f, 'reward_std') as number)}` : undefined }));
  add(numberOf(f, 'margin_mean') !== undefined ? 'margin_mean' : 'mean_margin', (v) => ({ label: 'Mean margin', value: figure(v), note: 'r(chosen) − r(rejected)' }));
  const calibrated = numberOf(f, 'ece_calibrated');
  add('ece', (v) => ({ label: 'Calibration error', value: figure(v), note: `ECE of sigmoid(margin)${calibrated === undefined ? '' : `; ${figure(calibrated)} with the temperature`}` }));
  add('brier', (v) => ({ label: 'Brier score', value: figure(v), note: '0.25 for a coin' }));
  add('temperature', (v) => ({ label: 'Temperature', value: figure(v), note: 'sigmoid(margin / T) calibrates' }));
  const prefers = numberOf(f, 'model_prefers_longer');
  add('longer_wins', (v) => ({ label: 'Longer wins', value: percent(v), note: `accuracy of "longer response wins"${prefers === undefined ? '' : `; the model prefers the longer in ${percent(prefers)}`}` }));
  add('length_reward_corr', (v) => ({ label: 'Length ↔ reward', value: figure(v), note: 'correlation with response length' }));
  return cards.length ? `<section class="cards">${cards.map(card).join('')}</section>` : '';
}

/** A table with a caption, header cells and rows (each a list of cells, or [class, cells]). */
function table(title: string, head: readonly string[], rows: readonly (readonly (string | number)[] | { cls: string; cells: readonly (string | number)[] })[]): string {
  // long text (a path, a nested figure's JSON) may wrap anywhere; numbers never do
  const cells = (r: readonly (string | number)[]) =>
    r.map((c) => (typeof c === 'number' ? `<td>${esc(figure(c))}</td>` : `<td${c.length > 24 ? ' class="text"' : ''}>${esc(c)}</td>`)).join('');
  const body = rows.map((r) => ('cls' in r ? `<tr class="${r.cls}">${cells(r.cells)}</tr>` : `<tr>${cells(r)}</tr>`)).join('');
  return `<table><caption>${esc(title)}</caption><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

// a nested figure nobody charts is shown as JSON, cut short: report.json has it whole
const clip = (s: string) => (s.length > 160 ? `${s.slice(0, 157)}...` : s);

/** Keys the title, cards, charts and tables already show; the rest go to "Other figures". */
const SHOWN = new Set(['model', 'data', 'accuracy', 'accuracy_ci', 'n', 'ties', 'tie_rate', 'reward_mean', 'reward_std', 'margin_mean', 'ece', 'brier', 'temperature', 'longer_wins', 'length_reward_corr', 'ece_calibrated', 'model_prefers_longer', 'length_unit', 'sections', 'sections_overall', 'health', 'margin_buckets', 'length_buckets', 'reliability']);

/** Health, buckets, reliability, sections with subsets, and every other figure. */
export function figureTables(f: Figures): string {
  const out: string[] = [];
  const health = healthOf(f);
  if (health.length) out.push(table('Data health', ['check', 'value'], health));
  for (const [key, title, what] of [['margin_buckets', 'Accuracy by margin', 'margin'], ['length_buckets', 'Accuracy by length difference', 'length difference']] as const) {
    const b = bucketsOf(f, key);
    if (b.length) out.push(table(title, [what, 'pairs', 'accuracy'], b.map((x) => [bucketLabel(x), x.n, percent(x.accuracy)])));
  }
  const rel = reliabilityOf(f);
  if (rel.length) out.push(table('Reliability', ['probability', 'pairs', 'predicted', 'observed'], rel.map((x) => [bucketLabel(x), x.n, percent(x.confidence), percent(x.accuracy)])));
  const sections = sectionsOf(f);
  if (sections.length) {
    const rows = sections.flatMap((s) => [
      [s.name, s.n, percent(s.accuracy), s.ci ? `${percent(s.ci[0])}–${percent(s.ci[1])}` : ''],
      ...s.subsets.map((x) => ({ cls: 'sub', cells: [x.name, x.n, percent(x.accuracy), ''] })),
    ]);
    out.push(table('Sections and subsets', ['section / subset', 'pairs', 'accuracy', '95% CI'], rows));
  }
  const other = Object.entries(f).filter(([k, v]) => !SHOWN.has(k) && v !== undefined && v !== null);
  if (other.length) out.push(table('Other figures', ['figure', 'value'], other.map(([k, v]) => [k, typeof v === 'number' || typeof v === 'string' ? v : clip(JSON.stringify(v))])));
  return out.length ? `<section class="tables">${out.join('')}</section>` : '';
}
