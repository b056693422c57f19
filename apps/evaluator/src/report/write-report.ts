/**
 * `evaluator:run --out DIR`: report.json holds every figure (the evaluators' report, the margin
 * histogram's bins, where the training curves came from); report.html shows them as headline cards,
 * charts (Vega-Lite compiled to SVG here, at report time) and tables, and needs no network or script
 * to view. A figure that is missing (its evaluator turned off) leaves out its chart, not the report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { marginHistogram } from './margin-histogram';
import { reportCharts } from './report-charts';
import type { Figures } from './report-figures';
import { reportPage, type RenderedChart } from './report-page';
import { figureTables, headlineCards } from './report-tables';
import { renderSvg } from './render-svg';
import type { TrainingMetrics } from './training-metrics';

export interface ReportInput {
  /** The evaluators' merged report: flat numbers plus nested tables (buckets, sections, health). */
  readonly figures: Figures;
  /** Per-pair margins r(chosen) - r(rejected), for the histogram. */
  readonly margins?: readonly number[];
  /** The run's metrics.jsonl (readTrainingMetrics), for the training curves. */
  readonly training?: TrainingMetrics;
  readonly model?: string;
  readonly data?: string;
  readonly title?: string;
}

export interface WrittenReport {
  readonly json: string;
  readonly html: string;
  /** Ids of the charts drawn, in page order. */
  readonly charts: readonly string[];
}

async function render(id: string, spec: object): Promise<string> {
  try {
    return await renderSvg(spec);
  } catch (e) {
    // a spec that vega rejects is this module's bug: name the chart, keep the stack
    throw new Error(`report chart "${id}" failed to render: ${(e as Error).message}`, { cause: e });
  }
}

export async function writeReport(dir: string, input: ReportInput): Promise<WrittenReport> {
  const bins = input.margins ? marginHistogram(input.margins) : [];
  const charts = reportCharts(input.figures, bins, input.training?.points ?? []);
  const rendered: RenderedChart[] = [];
  for (const c of charts) rendered.push({ id: c.id, title: c.title, caption: c.caption, group: c.group, svg: await render(c.id, c.spec) });

  const generated = new Date().toISOString();
  const json = {
    ...input.figures,
    ...(bins.length ? { margin_histogram: bins } : {}),
    ...(input.training ? { training_log: { file: input.training.file, points: input.training.points.length, unreadable_lines: input.training.unreadable } } : {}),
    report_generated: generated,
  };
  const notes = [
    input.training && `Training curves from ${input.training.file}${input.training.unreadable ? ` (${input.training.unreadable} unreadable line(s) skipped)` : ''}.`,
    input.margins && `Margins of ${input.margins.length} pairs.`,
  ].filter((x): x is string => Boolean(x));
  const html = reportPage({
    title: input.title ?? 'Reward model evaluation',
    subtitle: [input.model && `model: ${input.model}`, input.data && `data: ${input.data}`, `generated ${generated}`].filter((x): x is string => Boolean(x)),
    cards: headlineCards(input.figures),
    charts: rendered,
    tables: figureTables(input.figures),
    notes,
  });

  fs.mkdirSync(dir, { recursive: true });
  const files = { json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') };
  fs.writeFileSync(files.json, JSON.stringify(json, null, 2) + '\n');
  fs.writeFileSync(files.html, html);
  return { ...files, charts: rendered.map((c) => c.id) };
}
