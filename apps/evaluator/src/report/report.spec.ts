import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeHtml, bucketLabel, percent } from './format';
import { marginHistogram } from './margin-histogram';
import { fixtureInput } from './report-fixture';
import { movingAverage, parseMetricsLog, readTrainingMetrics } from './training-metrics';
import { writeReport } from './write-report';

const tmpDirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'report-spec-'));
  tmpDirs.push(d);
  return d;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('marginHistogram', () => {
  it('counts margins into bins of a nice width with 0 an edge', () => {
    // range 1.5 / 30 bins -> width 0.05; bins from -0.5 up to the one holding 1.0
    const bins = marginHistogram([-0.5, -0.01, 0, 0, 0.04, 0.05, 1.0], 30);
    expect(bins[0].lo).toBeCloseTo(-0.5);
    expect(bins[1].lo - bins[0].lo).toBeCloseTo(0.05);
    const at = (x: number) => bins.find((b) => Math.abs(b.lo - x) < 1e-9);
    expect(at(-0.05)?.n).toBe(1); // -0.01
    expect(at(0)?.n).toBe(3); // two ties and 0.04
    expect(at(0.05)?.n).toBe(1);
    expect(bins.reduce((s, b) => s + b.n, 0)).toBe(7);
    expect(bins.every((b) => b.lo >= 0 || b.hi <= 1e-12)).toBe(true); // no bin straddles 0
  });

  it('ignores non-finite margins and is empty without any', () => {
    expect(marginHistogram([])).toEqual([]);
    expect(marginHistogram([NaN, Infinity])).toEqual([]);
    expect(marginHistogram([0.3, NaN]).reduce((s, b) => s + b.n, 0)).toBe(1);
  });
});

describe('training metrics', () => {
  it('keeps the last write of a repeated step (a resumed run) and counts broken lines', () => {
    const text = [
      '{"kind":"train","step":1,"loss":0.7,"accuracy":0.5}',
      '{"kind":"train","step":2,"loss":0.6}',
      '{"kind":"eval","step":2,"accuracy":0.61}',
      '{"kind":"train","step":2,"loss":0.55,"accuracy":0.75}',
      '{"kind":"start"}',
      '{"kind":"train","step":3,"lo',
    ].join('\n');
    const { points, unreadable } = parseMetricsLog(text);
    expect(unreadable).toBe(1);
    expect(points).toEqual([
      { kind: 'train', step: 1, loss: 0.7, accuracy: 0.5 },
      { kind: 'eval', step: 2, loss: undefined, accuracy: 0.61 },
      { kind: 'train', step: 2, loss: 0.55, accuracy: 0.75 },
    ]);
  });

  it('finds metrics.jsonl beside the model or in the run directory above it', () => {
    const run = tmp();
    fs.mkdirSync(path.join(run, 'final'));
    expect(readTrainingMetrics(path.join(run, 'final'))).toBeUndefined();
    fs.writeFileSync(path.join(run, 'metrics.jsonl'), '{"kind":"train","step":1,"loss":0.69}\n');
    expect(readTrainingMetrics(path.join(run, 'final'))).toMatchObject({ file: path.join(run, 'metrics.jsonl'), points: [{ step: 1, loss: 0.69 }] });
  });

  it('smooths with a centred moving average that shrinks at the ends', () => {
    expect(movingAverage([1, 2, 3, 4, 5], 3)).toEqual([1.5, 2, 3, 4, 4.5]);
    expect(movingAverage([1, 5], 1)).toEqual([1, 5]);
  });
});

describe('format', () => {
  it('writes buckets, shares and HTML text', () => {
    expect(bucketLabel({ lo: null, hi: -0.5 })).toBe('[−∞, -0.5)');
    expect(bucketLabel({ lo: 10, hi: null })).toBe('[10, ∞)');
    expect(percent(0.627)).toBe('62.7%');
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});

describe('writeReport', () => {
  it('writes every figure to report.json and a page with one SVG per chart, no script and no external reference', async () => {
    const dir = tmp();
    const input = fixtureInput();
    const written = await writeReport(dir, input);
    const json = JSON.parse(fs.readFileSync(written.json, 'utf8'));
    for (const [k, v] of Object.entries(input.figures)) expect([k, json[k]]).toEqual([k, v]);
    expect(json.margin_histogram.reduce((s: number, b: { n: number }) => s + b.n, 0)).toBe(555);
    expect(json.training_log).toEqual({ file: 'runs/default/metrics.jsonl', points: 606, unreadable_lines: 0 });

    const html = fs.readFileSync(written.html, 'utf8');
    expect(written.charts).toHaveLength(7);
    for (const id of written.charts) expect(html).toMatch(new RegExp(`<figure class="chart" id="chart-${id}"[^>]*>.*?<svg[^>]*>.*?</svg></figure>`, 's'));
    expect(html).not.toMatch(/<script/i);
    // the SVG namespace is a name, not a fetch; any src/href/url() pointing outside the page would be
    expect(html).not.toMatch(/\b(src|href)\s*=\s*"(?!#)/i);
    expect(html).not.toMatch(/url\((?!#)/i);
    expect(html).toContain('62.7%');
    expect(html).toContain('58.7%–66.7%');
  });

  it('draws only the charts whose figures exist, and escapes what it quotes', async () => {
    const dir = tmp();
    const written = await writeReport(dir, { figures: { accuracy: 0.5, n: 4, ties: 0, note: '<b>x</b>' }, model: 'm<script>' });
    expect(written.charts).toEqual([]);
    const html = fs.readFileSync(written.html, 'utf8');
    expect(html).toContain('model: m&lt;script&gt;');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(JSON.parse(fs.readFileSync(written.json, 'utf8'))).toMatchObject({ accuracy: 0.5, n: 4, note: '<b>x</b>' });

    const withMargins = await writeReport(tmp(), { figures: { accuracy: 0.5, length_buckets: [{ lo: 0, hi: 10, n: 0, accuracy: 0 }, 'junk'] }, margins: [0.1, -0.2] });
    // an empty bucket or a malformed entry draws nothing; the margins still make their histogram
    expect(withMargins.charts).toEqual(['margin-histogram']);
  });
});
