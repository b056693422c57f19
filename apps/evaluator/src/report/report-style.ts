/** The report page's stylesheet: readable on screen and in print, no web fonts (nothing is fetched). */
export const REPORT_CSS = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --card: #f9fafb; --accent: #4f46e5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { font-size: 24px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); word-break: break-all; }
h2 { font-size: 18px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 2px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin-top: 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .note { color: var(--muted); font-size: 12px; }
.card.primary { border-color: var(--accent); background: #eef2ff; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 20px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 14px; }
figure.chart figcaption p { margin: 0 0 8px; color: var(--muted); font-size: 12.5px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
.tables { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 20px; align-items: start; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: right; }
td + td, th + th { white-space: nowrap; }
td.text { white-space: normal; overflow-wrap: anywhere; }
th:first-child, td:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 500; border-bottom: 1px solid #d1d5db; }
tr.sub td:first-child { padding-left: 22px; color: var(--muted); }
.warn { color: #b91c1c; font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { .charts, .tables { display: block; } figure.chart, table { break-inside: avoid; margin-bottom: 16px; } }
`;
