/** The page's stylesheet: Okabe–Ito colours (colour-blind safe), light and dark, A4 print, phone width. */
export const REPORT_CSS = String.raw`
:root { color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1c20; --muted: #5a5d66; --grid: #dcdee3; --card: #f5f6f8; --border: #d4d7dd;
  --good: #007a5a; --bad: #b8480a;
  --c1: #0072B2; --c2: #E69F00; --c3: #009E73; --c4: #CC79A7; --c5: #56B4E9; --c6: #D55E00; --c7: #8a7d00; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #141519; --fg: #e9eaee; --muted: #a6a9b2; --grid: #373a42; --card: #1e2026; --border: #3a3d46;
  --good: #3fd1a4; --bad: #ff9a5c;
  --c1: #56B4E9; --c2: #E69F00; --c3: #2ccf9f; --c4: #e59bc5; --c5: #9fd3f3; --c6: #ff7a3d; --c7: #F0E442; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 16px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header h1 { margin: 0 0 4px; font-size: 1.6rem; }
header p { margin: 2px 0; color: var(--muted); }
nav { margin: 12px 0 4px; display: flex; flex-wrap: wrap; gap: 6px 14px; }
nav a { color: var(--c1); }
section { margin-top: 28px; border-top: 2px solid var(--border); padding-top: 8px; }
section > h2 { margin: 4px 0 2px; font-size: 1.3rem; }
section > p.lead { margin: 0 0 10px; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 470px), 1fr)); gap: 16px; }
.charts.wide { grid-template-columns: 1fr; }
.charts.wide svg.plot { max-width: 860px; }
figure.chart { margin: 0; padding: 10px 12px; background: var(--card); border: 1px solid var(--border); border-radius: 8px; min-width: 0; }
figure.chart h3 { margin: 0; font-size: 1rem; }
p.sub, p.source, p.note { margin: 2px 0; color: var(--muted); font-size: 0.82rem; }
p.source { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.75rem; overflow-wrap: anywhere; }
svg.plot { width: 100%; height: auto; display: block; margin: 6px 0; overflow: visible; }
svg.plot text { fill: var(--muted); font-size: 11px; }
svg.plot text.axis-label { fill: var(--fg); font-size: 11.5px; }
svg.plot text.cell { font-size: 9.5px; pointer-events: none; }
svg.plot .grid { stroke: var(--grid); stroke-width: 1; }
svg.plot .axis { stroke: var(--muted); stroke-width: 1; }
svg.plot .partial { stroke: var(--fg); stroke-width: 1.2; stroke-dasharray: 2 2; }
svg.plot rect:hover, svg.plot circle:hover { stroke: var(--fg); stroke-width: 1.5; }
ul.legend { list-style: none; margin: 2px 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 0.82rem; }
ul.legend span.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
details.defs { font-size: 0.82rem; margin-top: 4px; }
details.defs summary { cursor: pointer; color: var(--c1); }
details.defs dt { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; margin-top: 4px; }
details.defs dd { margin: 0 0 0 12px; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.tile { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 8px 10px; }
.tile h3 { margin: 0; font-size: 0.85rem; font-weight: 600; color: var(--muted); }
.tile .value { font-size: 1.5rem; font-weight: 700; margin: 2px 0; }
.tile .change { font-size: 0.78rem; margin: 0; color: var(--muted); }
.tile .change b.good { color: var(--good); } .tile .change b.bad { color: var(--bad); }
.tile svg { width: 100%; height: 34px; display: block; margin-top: 4px; }
.switch { display: inline-flex; border: 1px solid var(--border); border-radius: 6px; overflow: hidden; margin: 6px 0; }
.switch button { font: inherit; font-size: 0.85rem; padding: 4px 10px; border: 0; background: transparent; color: var(--fg); cursor: pointer; }
.switch button[aria-pressed="true"] { background: var(--c1); color: var(--bg); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.82rem; margin: 6px 0; width: 100%; }
th, td { border-bottom: 1px solid var(--border); padding: 3px 6px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.button { font: inherit; font-size: 0.85rem; padding: 4px 10px; border: 1px solid var(--c1); color: var(--c1); background: transparent; border-radius: 6px; cursor: pointer; }
.target { font-size: 0.85rem; margin: 2px 0; } .target-met { color: var(--good); } .target-missed { color: var(--bad); font-weight: 600; }
.status-failed { color: var(--bad); font-weight: 600; } .status-succeeded { color: var(--good); }
footer { margin-top: 30px; color: var(--muted); font-size: 0.8rem; }
.scroll { overflow-x: auto; }
@media (max-width: 560px) { svg.plot.heat { min-width: 540px; } body { padding: 10px; } header h1 { font-size: 1.3rem; } .tiles { grid-template-columns: 1fr 1fr; } .tile .value { font-size: 1.2rem; } }
@page { size: A4; margin: 12mm; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444; --grid: #ddd; --card: #ffffff; --border: #bbb;
    --c1: #0072B2; --c2: #E69F00; --c3: #009E73; --c4: #CC79A7; --c5: #56B4E9; --c6: #D55E00; --c7: #8a7d00; }
  body { max-width: none; padding: 0; font-size: 11px; }
  nav, .switch, .button { display: none; }
  svg.plot.heat { min-width: 0; }
  section { break-before: auto; }
  figure.chart, .tile, table { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  .charts.wide { grid-template-columns: 1fr; }
}
`;
