/**
 * report.html as a person sees it: opened from disk in headless Chromium (Debian's `chromium`,
 * installed by tools/scripts/setup-chromium.sh; playwright-core only drives it, it downloads no
 * browser), with every network request refused. Each chart must hold marks of non-zero size, and
 * a screenshot is saved to tmp/report-screenshot.png for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { fixtureInput } from './report-fixture';
import { writeReport } from './write-report';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) {
  console.warn(`report-browser.spec: SKIPPED: no Chromium at ${CHROMIUM}; run tools/scripts/setup-chromium.sh (or set CHROMIUM_PATH)`);
}
const describeIfChromium = present ? describe : describe.skip;

/** Per chart: how many data marks (vega's role-mark groups) have a non-empty box on the page. */
interface ChartMarks {
  readonly id: string;
  readonly marks: number;
  readonly width: number;
  readonly height: number;
}

describeIfChromium('report.html in headless Chromium', () => {
  let browser: BrowserContext;
  let userDir: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-browser-'));

  beforeAll(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    // a fresh profile each run: nothing cached or remembered from an earlier run can hide a fetch
    browser = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      javaScriptEnabled: false,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart with visible marks, fetching nothing', async () => {
    const written = await writeReport(dir, fixtureInput());
    expect(written.charts).toEqual(['sections', 'reliability', 'margin-histogram', 'length-buckets', 'margin-buckets', 'training-loss', 'training-accuracy']);

    const page = await browser.newPage();
    const url = `file://${written.html}`;
    const requested: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requested.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);

    // JavaScript is off in the page (the report needs none); playwright evaluates in its own world
    const charts: ChartMarks[] = await page.$$eval('figure.chart', (figs) =>
      figs.map((fig) => {
        const svg = fig.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = [...fig.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > text')].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 || r.height > 0;
        });
        return { id: fig.getAttribute('data-chart') ?? '', marks: marks.length, width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
    expect(charts.map((c) => c.id)).toEqual(written.charts);
    for (const c of charts) {
      expect({ id: c.id, drawn: c.marks > 0 && c.width > 100 && c.height > 50 }).toEqual({ id: c.id, drawn: true });
    }
    // the bars (each chart's first layer; the sections' whisker ends are rects too): one per bucket or section
    const rects = (id: string) => page.$$eval(`figure[data-chart="${id}"] g.mark-rect.layer_0_marks > path`, (els) => els.length);
    expect(await rects('length-buckets')).toBe(5);
    expect(await rects('sections')).toBe(2);
    expect(requested).toEqual([]);

    const shot = path.join(__dirname, '../../../../tmp/report-screenshot.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10000);
  }, 60000);
});
