/**
 * Vega-Lite -> Vega -> SVG, in this process, with no browser and no network. vega and vega-lite
 * are ESM-only; dynamic import() loads them from CommonJS (tsx, esbuild's bundle; jest compiles them
 * to CommonJS, see apps/evaluator/jest.config.js). They load once, on the first chart.
 */
import type * as VegaLite from 'vega-lite';
import type * as Vega from 'vega';

interface Modules {
  readonly vl: typeof VegaLite;
  readonly vega: typeof Vega;
}

let modules: Promise<Modules> | undefined;

function load(): Promise<Modules> {
  modules ??= Promise.all([import('vega-lite'), import('vega')]).then(([vl, vega]) => ({ vl, vega }));
  return modules;
}

/**
 * Starts loading vega and vega-lite; resolves when they are loaded. Called (not awaited) when a report
 * will be written, it lets the module loading (much of it off the main thread under tsx) overlap
 * reading and scoring the data.
 */
export function startReportRenderer(): Promise<void> {
  // never rejects: a failure surfaces again, with its cause, at the first renderSvg
  return load().then(
    () => undefined,
    () => undefined,
  );
}

/** The SVG text of one Vega-Lite spec (data inline). */
export async function renderSvg(spec: object): Promise<string> {
  const { vl, vega } = await load();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
