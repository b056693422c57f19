/**
 * The terminal's compact view of an evaluation: the headline accuracy line (scripts grep it), then
 * one row per evaluator that reported. Every figure is in `--json` and `--out`; this is a glance.
 */
type Report = Readonly<Record<string, unknown>>;

const num = (v: unknown, digits = 4): string | undefined => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : undefined);
const interval = (v: unknown): string | undefined =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number' ? `${v[0].toFixed(3)}-${v[1].toFixed(3)}` : undefined;

/** `label value` parts whose value exists, joined; undefined when none does. */
function row(label: string, parts: [string, string | undefined][]): string | undefined {
  const present = parts.filter(([, v]) => v !== undefined).map(([k, v]) => (k ? `${k} ${v}` : v));
  return present.length ? `  ${label.padEnd(12)}${present.join(', ')}` : undefined;
}

export function summaryLines(r: Report): string[] {
  const lines: (string | undefined)[] = [];
  if (typeof r.accuracy === 'number') {
    const ci = interval(r.accuracy_ci);
    const margin = num(r.margin_mean);
    lines.push(
      `held-out accuracy: ${r.accuracy.toFixed(4)} on ${r.n} pairs (` +
        [ci && `95% CI ${ci}`, `ties ${r.ties}`, margin && `mean margin ${margin}`].filter(Boolean).join(', ') +
        ')',
    );
  }
  lines.push(
    row('rewards', [
      ['mean', num(r.reward_mean)],
      ['std', num(r.reward_std)],
    ]),
    row('calibration', [
      ['ECE', num(r.ece)],
      ['Brier', num(r.brier)],
      ['temperature', num(r.temperature, 3)],
      ['ECE at that temperature', num(r.ece_calibrated)],
    ]),
    row('length', [
      ['longer wins', num(r.longer_wins)],
      ['model prefers longer', num(r.model_prefers_longer)],
      [`reward-length corr (${String(r.length_unit ?? '?')})`, num(r.length_reward_corr, 3)],
    ]),
  );
  if (Array.isArray(r.sections) && r.sections.length) {
    const parts = (r.sections as { name: string; n: number; accuracy: number; ci?: unknown }[]).map(
      (s) => `${s.name} ${s.accuracy.toFixed(3)}${interval(s.ci) ? ` [${interval(s.ci)}]` : ''} (${s.n})`,
    );
    lines.push(row('sections', [['overall', num(r.sections_overall)], ...parts.map((p): [string, string] => ['', p])]));
  }
  if (r.health && typeof r.health === 'object') {
    const h = r.health as Record<string, unknown>;
    const count = (k: string) => (typeof h[k] === 'number' ? String(h[k]) : undefined);
    lines.push(
      row('data', [
        ['duplicates', count('duplicates')],
        ['contradictions', count('contradictions')],
        ['identical', count('identical')],
        ['truncated', count('truncated')],
        ['made identical by truncation', count('truncated_identical')],
        ['prompts shared with training', count('shared_prompts')],
        ['pairs shared with training', count('shared_pairs')],
      ]),
    );
  }
  return lines.filter((l): l is string => l !== undefined);
}
