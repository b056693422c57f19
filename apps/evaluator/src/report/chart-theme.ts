/** What every chart of the report shares: its description, size, palette and Vega-Lite config. */

/** One chart: a Vega-Lite spec with its data inline, and the words around it. */
export interface Chart {
  /** Element id in report.html, and the key the browser test finds it by. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences under the chart: how to read it. */
  readonly caption: string;
  readonly spec: object;
}

export const WIDTH = 440;
export const HEIGHT = 230;

export const COLORS = {
  train: '#2563eb',
  trainRaw: '#bfdbfe',
  eval: '#ea580c',
  bar: '#4f46e5',
  good: '#0d9488',
  bad: '#e11d48',
  reference: '#6b7280',
} as const;

/** Vega-Lite config: quiet axes, one font, no frame around the plot. */
export const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    labelColor: '#4b5563',
    titleColor: '#374151',
    gridColor: '#eef0f3',
    domainColor: '#9ca3af',
    tickColor: '#9ca3af',
  },
  legend: { orient: 'bottom', labelFontSize: 11, titleFontSize: 11, symbolStrokeWidth: 2, labelColor: '#374151' },
} as const;

/** A layered spec sized and themed like every other chart. */
export function layered(values: readonly object[], layer: readonly object[], extra: object = {}): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    layer,
    ...extra,
  };
}
