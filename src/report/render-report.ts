import type { ReportData } from './report-data.js';
import { REPORT_JS } from './report-script.js';
import { REPORT_CSS } from './report-style.js';
import { CLV_BIN_EDGES, MATRIX_MAX_FREQUENCY, MATRIX_RECENCY_DAYS } from './sections.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot close the <script> element it sits in. */
export function embeddableJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The whole page: one file, its CSS, script and data inline, nothing loaded from anywhere. */
export function renderReport(data: ReportData): string {
  const embedded = {
    ...data,
    clv_bin_edges: CLV_BIN_EDGES,
    matrix_recency_days: MATRIX_RECENCY_DAYS,
    matrix_max_frequency: MATRIX_MAX_FREQUENCY,
  };
  const asOf = data.health?.run.as_of;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:">
<title>Loyalty report — ${escapeHtml(data.lake)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Loyalty report</h1>
<p>Lake ${escapeHtml(data.lake)}${asOf ? ` · data as of ${escapeHtml(asOf)}` : ''} · generated ${escapeHtml(data.generated_at.slice(0, 16).replace('T', ' '))} UTC from the published tables.</p>
<p>Hover a mark for its exact value; "Definitions" under each chart gives its columns' declared meaning.</p>
<nav id="nav" aria-label="Sections"></nav>
</header>
<main id="report"></main>
<footer>Every number comes from a published table under metrics/ (named under each chart); months marked * are partial.</footer>
<script type="application/json" id="report-data">${embeddableJson(embedded)}</script>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}
