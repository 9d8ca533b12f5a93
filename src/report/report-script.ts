import { CHARTS_JS } from './report-charts-script.js';
import { SEGMENTS_JS } from './report-segments-script.js';

/** The sections drawn from the embedded data, in page order (segments in report-segments-script.ts). */
const SECTIONS_JS = String.raw`
// ---- sections ---------------------------------------------------------------------------------
var METRICS = {
  retention_rate: { label: 'Retention rate', kind: 'pct', better: 1 },
  churn_rate: { label: 'Churn rate', kind: 'pct', better: -1 },
  repeat_purchase_rate_12m: { label: 'Repeat purchase rate (12 m)', kind: 'pct', better: 1 },
  purchase_frequency_12m: { label: 'Purchase frequency (12 m, orders per customer)', kind: 'dec2', better: 1 },
  avg_order_value_12m: { label: 'Average order value (12 m)', kind: 'money', better: 1 },
  clv_formula: { label: 'CLV, textbook formula', kind: 'money', better: 1 },
  mrr: { label: 'MRR', kind: 'money', better: 1 },
  net_revenue_retention: { label: 'Net revenue retention', kind: 'pct', better: 1 },
  gross_revenue_retention: { label: 'Gross revenue retention', kind: 'pct', better: 1 },
  nps: { label: 'NPS (−100 to 100)', kind: 'dec1', better: 1, points: true },
  csat: { label: 'CSAT (share satisfied)', kind: 'pct', better: 1 },
  ces: { label: 'CES (mean score)', kind: 'dec2', better: 0 },
  dau_mau: { label: 'DAU/MAU', kind: 'pct', better: 1 },
  referral_rate: { label: 'Referral rate', kind: 'pct', better: 1 },
  crc: { label: 'Retention cost per customer', kind: 'money', better: -1 }
};

function change(meta, value, other, when) {
  if (value === null || other === null) return h('p', { class: 'change', text: 'vs ' + when + ': –' });
  var diff = value - other, text;
  if (meta.kind === 'pct') text = (diff >= 0 ? '+' : '−') + Math.abs(diff * 100).toFixed(1) + ' pp';
  // A score that crosses zero (NPS) changes by points: a relative change would mislead.
  else if (meta.points) text = (diff >= 0 ? '+' : '−') + Math.abs(diff).toFixed(1) + ' points';
  else if (other !== 0) text = (diff >= 0 ? '+' : '−') + Math.abs(diff / Math.abs(other) * 100).toFixed(1) + '%';
  else text = (diff >= 0 ? '+' : '−') + fmt(meta.kind, Math.abs(diff));
  var tone = diff === 0 || !meta.better ? '' : (diff * meta.better > 0 ? 'good' : 'bad');
  return h('p', { class: 'change' }, ['vs ' + when + ': ', h('b', { class: tone || null, text: text }), ' (' + fmt(meta.kind, other) + ')']);
}
function sparkline(tile, meta, values, ms) {
  var ext = extent(values, false);
  var svg = s('svg', { viewBox: '0 0 120 30', preserveAspectRatio: 'none', role: 'img', 'aria-label': meta.label + ', ' + values.length + ' months' });
  if (ext) {
    var n = values.length, lo = ext[0], hi = ext[1] === ext[0] ? ext[0] + 1 : ext[1];
    var x = function (i) { return n === 1 ? 60 : 2 + i * 116 / (n - 1); }, y = function (v) { return 27 - (v - lo) / (hi - lo) * 24; };
    var pts = [];
    values.forEach(function (v, i) { if (v !== null && isFinite(v)) pts.push(x(i).toFixed(1) + ',' + y(v).toFixed(1)); });
    svg.appendChild(s('polyline', { points: pts.join(' '), style: 'fill:none;stroke:var(--c1);stroke-width:1.6', 'vector-effect': 'non-scaling-stroke' }));
    values.forEach(function (v, i) {
      if (v === null || !isFinite(v)) return;
      svg.appendChild(tip(s('rect', { x: x(i) - 58 / n, y: 0, width: 116 / n, height: 30, style: 'fill:transparent' }), ms[i] + ': ' + fmt(meta.kind, v)));
    });
  }
  tile.appendChild(svg);
}
function scorecard() {
  var sc = D.scorecard;
  if (!sc) return;
  var sec = section('scorecard', 'Scorecard', 'Latest complete month: ' + monthName(sc.month) + '. Each tile: the value, its change vs the previous month and vs the same month a year before, and up to 24 months to ' + sc.month + '.' +
    (sc.partial_month ? ' ' + monthName(sc.partial_month) + ' is partial and left out of the tiles.' : ''));
  var tiles = h('div', { class: 'tiles' });
  var table = 'loyalty_scorecard_monthly_v1';
  sc.tiles.forEach(function (t) {
    var meta = METRICS[t.metric];
    if (!meta || (t.value === null && t.spark.every(function (v) { return v === null; }))) return;
    var tile = h('div', { class: 'tile', 'data-metric': t.metric }, [h('h3', { text: meta.label }),
      h('p', { class: 'value', 'data-metric-value': t.metric, text: fmt(meta.kind, t.value) }),
      change(meta, t.value, t.previous, 'previous month'), change(meta, t.value, t.year_ago, 'a year before')]);
    sparkline(tile, meta, t.spark, t.spark_months);
    tile.appendChild(h('p', { class: 'source', text: table + '.' + t.metric }));
    tiles.appendChild(tile);
  });
  var targets = D.targets || [];
  Array.prototype.forEach.call(tiles.children, function (tile) {
    var metric = tile.getAttribute('data-metric');
    targets.filter(function (tg) { return tg.column_name === metric && tg.dimension === null; }).forEach(function (tg) {
      tile.insertBefore(targetLine(METRICS[metric].kind, tg), tile.querySelector('svg'));
    });
  });
  sec.appendChild(tiles);
  if (targets.length) targetsTable(sec, targets);
  sec.appendChild(definitions(table, SCORECARD_COLUMNS()));
}
var COMPARATOR = { at_least: '≥', at_most: '≤' };
function targetStatus(tg) { return tg.is_met === null ? 'no value' : tg.is_met ? 'met' : 'missed'; }
function targetLine(kind, tg) {
  var status = targetStatus(tg);
  return h('p', { class: 'target target-' + status.replace(' ', '-'), 'data-target': tg.target,
    text: 'Target ' + COMPARATOR[tg.comparator] + ' ' + fmt(kind, tg.threshold) + ': ' + status + (tg.month ? ' (' + tg.month + ')' : '') });
}
function targetsTable(sec, targets) {
  var body = figure(sec, { id: 'targets', title: 'KPI targets in their latest complete month', subtitle: 'From the targets of loyaltylake.yml; a missed target is also listed in the run\'s console and manifest.',
    table: 'kpi_targets_monthly_v1', columns: ['target', 'dimension', 'segment_value', 'month', 'value', 'comparator', 'threshold', 'is_met'] });
  var rows = targets.map(function (tg) {
    return { target: tg.target + (tg.dimension ? ' [' + tg.dimension + ' = ' + tg.segment_value + ']' : ''), month: tg.month, value: tg.value,
      rule: COMPARATOR[tg.comparator] + ' ' + tg.threshold, status: targetStatus(tg) };
  });
  var t = table(body, [{ key: 'target', label: 'Target' }, { key: 'month', label: 'Month' }, { key: 'value', label: 'Value', num: true, kind: 'dec3' },
    { key: 'rule', label: 'Rule' }, { key: 'status', label: 'Status' }], rows, { id: 'targets-table' });
  Array.prototype.forEach.call(t.querySelectorAll('td[data-col=status]'), function (td) { td.className = 'target-' + td.textContent.replace(' ', '-'); });
}
function SCORECARD_COLUMNS() { return D.scorecard.tiles.map(function (t) { return t.metric; }).concat(['is_partial_period']); }

function cohorts() {
  var rows = D.cohorts;
  if (!rows || !rows.length) return;
  var sec = section('cohorts', 'Cohorts', 'Customers grouped by the month of their first order (cohort), followed month by month.');
  var byCohort = {}, cohortList = [], maxPeriod = 0;
  rows.forEach(function (r) {
    if (!byCohort[r.cohort]) { byCohort[r.cohort] = { size: r.cohort_size, cells: {} }; cohortList.push(r.cohort); }
    byCohort[r.cohort].cells[r.period] = r;
    maxPeriod = Math.max(maxPeriod, r.period);
  });
  var periods = [];
  for (var p = 0; p <= maxPeriod; p++) periods.push(String(p));
  var modes = {
    share: { label: 'Share active', title: 'Share of each cohort active (ordering) in each month since its first order', key: 'retention_rate', kind: 'pct', legend: 'share active (months 1+)', domain: [0, Math.max.apply(null, rows.filter(function (r) { return r.period > 0; }).map(function (r) { return r.retention_rate; }).concat([0.01]))] },
    revenue: { label: 'Revenue per customer (cumulative)', title: 'Cumulative revenue per cohort customer by months since first order', key: 'cumulative_revenue_per_customer', kind: 'money0', legend: 'revenue per customer' }
  };
  var wrap = grid(sec, true);
  var body = figure(wrap, { id: 'cohort-heatmap', title: 'Cohort heatmap', subtitle: 'Rows: cohort (customers in it). Columns: months since the first order. * partial month (outlined cells).',
    table: 'cohort_retention_v1', columns: ['cohort_month', 'period_number', 'cohort_size', 'active_customers', 'retention_rate', 'cumulative_revenue_per_customer', 'is_partial_period'] });
  var sw = h('div', { class: 'switch', role: 'group', 'aria-label': 'Heatmap value' });
  var chart = h('div');
  body.appendChild(sw); body.appendChild(chart);
  function draw(mode) {
    var md = modes[mode];
    chart.textContent = '';
    chart.appendChild(h('p', { class: 'sub', text: md.title }));
    heatmap(chart, { title: md.title, rows: cohortList.map(function (c) { return c + ' (' + byCohort[c].size + ')'; }), cols: periods,
      xLabel: 'Months since first order', yLabel: 'Cohort (first-order month, customers)', kind: md.kind, domain: md.domain, legendLabel: md.legend, left: 128,
      cell: function (r, c) {
        var cell = byCohort[cohortList[r]].cells[c];
        if (!cell) return null;
        var v = cell[md.key];
        return { v: v, partial: cell.partial, text: fmt(md.kind, v), attrs: { 'data-cohort': cell.cohort, 'data-period': cell.period, 'data-mode': mode },
          title: 'Cohort ' + cell.cohort + ' (' + cell.cohort_size + ' customers), month ' + cell.period + ' (' + cell.month + (cell.partial ? ', partial' : '') + '): ' +
            md.label.toLowerCase() + ' ' + fmt(md.kind, v) + (mode === 'share' ? ' (' + cell.active_customers + ' active)' : '') };
      } });
    Array.prototype.forEach.call(sw.children, function (b) { b.setAttribute('aria-pressed', String(b.dataset.mode === mode)); });
  }
  Object.keys(modes).forEach(function (mode) {
    var b = h('button', { type: 'button', 'data-mode': mode, text: modes[mode].label });
    b.addEventListener('click', function () { draw(mode); });
    sw.appendChild(b);
  });
  draw('share');
  var g = grid(sec);
  var sizes = cohortList.map(function (c) { return byCohort[c].size; });
  var sb = figure(g, { id: 'cohort-sizes', title: 'Cohort sizes: new customers per first-order month', table: 'cohort_retention_v1', columns: ['cohort_month', 'cohort_size'] });
  barChart(sb, { title: 'Cohort sizes', categories: cohortList, series: [{ label: 'customers', color: PAL[0], values: sizes }], kind: 'int', yLabel: 'Customers', xLabel: 'Cohort (first-order month)' });
}

function retention() {
  var rows = D.retention;
  if (!rows || !rows.length) return;
  var win = rows[rows.length - 1].churn_window_days;
  var sec = section('retention', 'Retention and churn', 'A customer counts as churned after ' + win + ' days without an order (the churn window).');
  var g = grid(sec);
  monthly(g, rows, { id: 'retention-rate', title: 'Monthly retention and churn rate', subtitle: 'Share of the customers at the start of the month still active (retained) or lost by its end; churn window ' + win + ' days.',
    table: 'retention_monthly_v1', columns: ['month', 'retention_rate', 'churn_rate', 'churn_window_days', 'is_partial_period'], kind: 'pct', yLabel: 'Share of customers (%)', zero: true,
    series: [{ label: 'Retention rate', key: 'retention_rate' }, { label: 'Churn rate', key: 'churn_rate', color: PAL[5] }] });
  var body = figure(g, { id: 'customer-movements', title: 'Customers gained and lost per month', subtitle: 'New and reactivated customers above the axis, lost customers below.',
    table: 'retention_monthly_v1', columns: ['month', 'new_customers', 'reactivated_customers', 'lost_customers', 'is_partial_period'] });
  barChart(body, { title: 'Customers gained and lost per month', categories: months(rows), partial: partials(rows), stacked: true, kind: 'int', yLabel: 'Customers', xLabel: 'Month',
    series: [{ label: 'New', color: PAL[0], values: col(rows, 'new_customers') }, { label: 'Reactivated', color: PAL[2], values: col(rows, 'reactivated_customers') },
      { label: 'Lost', color: PAL[5], values: rows.map(function (r) { return -r.lost_customers; }) }] });
}

function revenue() {
  var rows = D.revenue;
  if (!rows || !rows.length) return;
  var sec = section('revenue', 'Revenue', 'Orders and revenue per month; the 12-month measures count the 12 months ending with each month.');
  var g = grid(sec), t = 'loyalty_kpis_monthly_v1';
  monthly(g, rows, { id: 'revenue-monthly', title: 'Revenue per month', table: t, columns: ['month', 'revenue', 'is_partial_period'], kind: 'money0', yLabel: 'Revenue (order currency)', zero: true, series: [{ label: 'Revenue', key: 'revenue' }] });
  monthly(g, rows, { id: 'orders-monthly', title: 'Orders per month', table: t, columns: ['month', 'orders', 'is_partial_period'], kind: 'int', yLabel: 'Orders', zero: true, series: [{ label: 'Orders', key: 'orders', color: PAL[1] }] });
  monthly(g, rows, { id: 'aov-monthly', title: 'Average order value per month', table: t, columns: ['month', 'avg_order_value', 'is_partial_period'], kind: 'money', yLabel: 'Revenue per order', series: [{ label: 'AOV', key: 'avg_order_value', color: PAL[2] }] });
  monthly(g, rows, { id: 'repeat-rate', title: 'Repeat purchase rate (trailing 12 months)', table: t, columns: ['month', 'repeat_purchase_rate_12m', 'is_partial_period'], kind: 'pct', yLabel: 'Customers with 2+ orders (%)', zero: true, series: [{ label: 'Repeat purchase rate', key: 'repeat_purchase_rate_12m', color: PAL[3] }] });
  monthly(g, rows, { id: 'purchase-frequency', title: 'Purchase frequency (trailing 12 months)', table: t, columns: ['month', 'purchase_frequency_12m', 'is_partial_period'], kind: 'dec2', yLabel: 'Orders per customer', zero: true, series: [{ label: 'Purchase frequency', key: 'purchase_frequency_12m', color: PAL[4] }] });
  monthly(g, rows, { id: 'clv-formula', title: 'Customer lifetime value, textbook formula', subtitle: 'AOV × purchase frequency × expected lifespan (from average monthly churn), per month.', table: t, columns: ['month', 'clv_formula', 'is_partial_period'], kind: 'money', yLabel: 'CLV per customer', zero: true, series: [{ label: 'CLV', key: 'clv_formula', color: PAL[5] }] });
}

function subscriptions() {
  var rows = D.subscriptions;
  if (!rows || !rows.length) return;
  var sec = section('subscriptions', 'Subscriptions', 'Monthly recurring revenue and what moved it.');
  var g = grid(sec), t = 'mrr_monthly_v1';
  monthly(g, rows, { id: 'mrr', title: 'MRR at month end', table: t, columns: ['month', 'mrr', 'paying_customers', 'is_partial_period'], kind: 'money', yLabel: 'MRR (subscription currency)', zero: true,
    series: [{ label: 'MRR', key: 'mrr', extra: function (i) { return ', ' + rows[i].paying_customers + ' paying customers'; } }] });
  var body = figure(g, { id: 'mrr-movements', title: 'MRR movements per month', subtitle: 'Gains above the axis (new, expansion, reactivation), losses below (contraction, churned).',
    table: t, columns: ['month', 'new_mrr', 'expansion_mrr', 'reactivation_mrr', 'contraction_mrr', 'churned_mrr', 'is_partial_period'] });
  barChart(body, { title: 'MRR movements per month', categories: months(rows), partial: partials(rows), stacked: true, kind: 'money', yLabel: 'MRR change', xLabel: 'Month', legend: true,
    series: [{ label: 'New', key: 'new_mrr', color: PAL[0] }, { label: 'Expansion', key: 'expansion_mrr', color: PAL[2] }, { label: 'Reactivation', key: 'reactivation_mrr', color: PAL[4] },
      { label: 'Contraction', key: 'contraction_mrr', color: PAL[1] }, { label: 'Churned', key: 'churned_mrr', color: PAL[5] }].map(function (sr) { sr.values = col(rows, sr.key); return sr; }) });
  monthly(g, rows, { id: 'nrr-grr', title: 'Net and gross revenue retention', subtitle: 'MRR kept from last month\'s customers, with (net) and without (gross) expansion.', table: t,
    columns: ['month', 'net_revenue_retention', 'gross_revenue_retention', 'is_partial_period'], kind: 'pct', yLabel: 'Share of last month\'s MRR (%)',
    series: [{ label: 'NRR', key: 'net_revenue_retention' }, { label: 'GRR', key: 'gross_revenue_retention', color: PAL[1] }] });
}

function voice() {
  var v = D.voice;
  if (!v) return;
  var sec = section('voice', 'Voice of the customer', 'Survey scores with their response counts, and engagement.');
  var g = grid(sec);
  if (v.surveys && v.surveys.length) {
    var r = v.surveys, t = v.survey_table;
    var n = function (key) { return function (i) { return ' (' + r[i][key] + ' responses)'; }; };
    monthly(g, r, { id: 'nps', title: 'Net Promoter Score per month', subtitle: 'Share of promoters (9–10) minus share of detractors (0–6), in points from −100 to 100.', table: t, columns: ['month', 'nps', 'nps_responses', 'is_partial_period'], kind: 'dec1', yLabel: 'NPS (points)', series: [{ label: 'NPS', key: 'nps', extra: n('nps_responses') }] });
    monthly(g, r, { id: 'csat', title: 'Customer satisfaction (CSAT) per month', table: t, columns: ['month', 'csat', 'csat_responses', 'is_partial_period'], kind: 'pct', yLabel: 'Satisfied responses (%)', series: [{ label: 'CSAT', key: 'csat', color: PAL[2], extra: n('csat_responses') }] });
    monthly(g, r, { id: 'ces', title: 'Customer effort score (CES) per month', table: t, columns: ['month', 'ces', 'ces_responses', 'is_partial_period'], kind: 'dec2', yLabel: 'Mean score (1–7)', series: [{ label: 'CES', key: 'ces', color: PAL[3], extra: n('ces_responses') }] });
    if (r[0].nps_promoters !== undefined) {
      var gb = figure(g, { id: 'nps-groups', title: 'NPS answers per month: promoters, passives and detractors', subtitle: 'Promoters score 9–10, passives 7–8, detractors 0–6; NPS is the promoters\' share minus the detractors\'.',
        table: t, columns: ['month', 'nps_promoters', 'nps_passives', 'nps_detractors', 'nps_responses', 'is_partial_period'] });
      barChart(gb, { title: 'NPS answers per month by group', categories: months(r), partial: partials(r), stacked: true, kind: 'int', yLabel: 'NPS answers', xLabel: 'Month', legend: true,
        series: [{ label: 'Promoters (9–10)', color: PAL[2], values: col(r, 'nps_promoters') }, { label: 'Passives (7–8)', color: PAL[3], values: col(r, 'nps_passives') },
          { label: 'Detractors (0–6)', color: PAL[5], values: col(r, 'nps_detractors') }] });
    }
    var body = figure(g, { id: 'survey-responses', title: 'Survey responses per month', table: t, columns: ['month', 'nps_responses', 'csat_responses', 'ces_responses', 'is_partial_period'] });
    barChart(body, { title: 'Survey responses per month', categories: months(r), partial: partials(r), kind: 'int', yLabel: 'Responses', xLabel: 'Month',
      series: [{ label: 'NPS', color: PAL[0], values: col(r, 'nps_responses') }, { label: 'CSAT', color: PAL[2], values: col(r, 'csat_responses') }, { label: 'CES', color: PAL[3], values: col(r, 'ces_responses') }] });
  }
  if (v.engagement && v.engagement.length) {
    var e = v.engagement, te = 'engagement_monthly_v1';
    monthly(g, e, { id: 'dau-mau', title: 'Engagement: DAU/MAU per month', subtitle: 'Average daily active customers over the month\'s active customers.', table: te, columns: ['month', 'dau_mau', 'avg_daily_active_customers', 'monthly_active_customers', 'is_partial_period'], kind: 'pct', yLabel: 'DAU/MAU (%)', zero: true,
      series: [{ label: 'DAU/MAU', key: 'dau_mau', color: PAL[4], extra: function (i) { return ' (' + fmt('int', e[i].avg_daily_active_customers) + ' daily of ' + fmt('int', e[i].monthly_active_customers) + ' monthly)'; } }] });
  }
}

function predictive() {
  var p = D.predictive;
  if (!p) return;
  var sec = section('predictive', 'Predictive', 'BG/NBD and Gamma-Gamma models fitted to each customer\'s purchase history.');
  var g = grid(sec);
  if (p.clv_distribution) {
    var edges = D.clv_bin_edges;
    var label = function (bin) { return bin === 0 ? '< ' + edges[0] : bin === edges.length ? '≥ ' + edges[edges.length - 1] : edges[bin - 1] + '–' + edges[bin]; };
    var body = figure(g, { id: 'clv-distribution', title: 'Predicted 12-month CLV: customers per value band', table: 'clv_predictions_v1', columns: ['clv_12m'] });
    barChart(body, { title: 'Predicted CLV distribution', categories: p.clv_distribution.map(function (r) { return label(r.bin); }), kind: 'int', yLabel: 'Customers', xLabel: 'Predicted 12-month CLV (order currency)',
      series: [{ label: 'customers', color: PAL[0], values: col(p.clv_distribution, 'customers'), extra: function (i) { return ', total CLV ' + fmt('money0', p.clv_distribution[i].clv_12m); } }] });
  }
  if (p.matrix) matrices(g, p.matrix);
  if (p.backtest && p.backtest.length) backtest(g, p.backtest); // none on a history too short to hold one out
  if (p.risk_bands) {
    var rb = figure(g, { id: 'risk-bands', title: 'Customers per churn-risk band', subtitle: 'With the predicted 12-month CLV each band holds.', table: 'churn_risk_v1', columns: ['risk_band', 'p_alive', 'days_since_last_order'] });
    hbarChart(rb, { title: 'Customers per churn-risk band', kind: 'int', xLabel: 'Customers',
      items: p.risk_bands.map(function (r, i) { return { label: r.risk_band.replace('_', ' '), value: r.customers, color: PAL[[2, 1, 5, 3][i] || 0], title: r.risk_band + ': ' + fmt('int', r.customers) + ' customers, predicted CLV ' + fmt('money0', r.clv_12m) }; }) });
  }
  if (p.win_back) winBack(sec, p.win_back);
}
function matrices(g, rows) {
  var freqs = [], recs = [], cells = {};
  rows.forEach(function (r) {
    if (freqs.indexOf(r.frequency) < 0) freqs.push(r.frequency);
    if (recs.indexOf(r.recency_from) < 0) recs.push(r.recency_from);
    cells[r.frequency + ':' + r.recency_from] = r;
  });
  freqs.sort(function (a, b) { return a - b; }); recs.sort(function (a, b) { return a - b; });
  var step = D.matrix_recency_days, maxF = D.matrix_max_frequency;
  var fl = freqs.map(function (f) { return f >= maxF ? f + '+' : String(f); });
  var rl = recs.map(function (r) { return r + '–' + (r + step - 1) + ' d'; });
  [{ key: 'expected_purchases_12m', title: 'Expected purchases in the next 12 months by frequency and recency', kind: 'dec2', legend: 'expected purchases' },
    { key: 'p_alive', title: 'Probability a customer is alive by frequency and recency', kind: 'pct', legend: 'P(alive)', domain: [0, 1] }].forEach(function (md) {
    var body = figure(g, { id: 'matrix-' + md.key, title: md.title, subtitle: 'As lifetimes draws it: repeat purchases across, recency (the customer\'s age at the last purchase) down, so the best customers sit bottom right; each cell is the mean over its customers.',
      table: 'clv_predictions_v1', columns: ['frequency', 'recency_days', md.key] });
    heatmap(body, { title: md.title, rows: rl, cols: fl, xLabel: 'Repeat purchases (frequency)', yLabel: 'Recency (days)', kind: md.kind, legendLabel: md.legend, domain: md.domain, left: 100,
      cell: function (r, c) {
        var cell = cells[freqs[c] + ':' + recs[r]];
        return cell ? { v: cell[md.key], text: fmt(md.kind, cell[md.key]), title: 'Frequency ' + fl[c] + ', recency ' + rl[r] + ': ' + md.legend + ' ' + fmt(md.kind === 'pct' ? 'pct' : 'dec3', cell[md.key]) + ' (' + cell.customers + ' customers)' } : null;
      } });
  });
}
function backtest(g, rows) {
  var groups = rows.filter(function (r) { return r.frequency_group !== 'all'; });
  var all = rows.filter(function (r) { return r.frequency_group === 'all'; })[0];
  var first = rows[0];
  var body = figure(g, { id: 'backtest', title: 'Backtest: predicted vs actual repeat purchases per purchase-count group',
    subtitle: 'Fitted on orders up to ' + first.calibration_end + ', predicted for the next ' + first.holdout_days + ' days, compared with what happened.',
    table: 'clv_backtest_v1', columns: ['frequency_group', 'customers', 'actual_repeat_purchases', 'predicted_repeat_purchases', 'relative_error', 'calibration_end', 'holdout_days'] });
  barChart(body, { title: 'Backtest calibration', categories: col(groups, 'frequency_group'), kind: 'int', yLabel: 'Repeat purchases in the holdout', xLabel: 'Repeat purchases in the calibration period',
    series: [{ label: 'Actual', color: PAL[0], values: col(groups, 'actual_repeat_purchases') }, { label: 'Predicted', color: PAL[1], values: col(groups, 'predicted_repeat_purchases') }] });
  if (all) {
    table(body, [{ key: 'frequency_group', label: 'Group' }, { key: 'customers', label: 'Customers', num: true, kind: 'int' }, { key: 'actual_repeat_purchases', label: 'Actual', num: true, kind: 'int' },
      { key: 'predicted_repeat_purchases', label: 'Predicted', num: true, kind: 'int' }, { key: 'relative_error', label: 'Relative error', num: true, kind: 'pct' }], [all], { id: 'backtest-totals' });
  }
}
function csvCell(v) { var t = v === null || v === undefined ? '' : String(v); return /[",\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t; }
function winBack(sec, wb) {
  var wrap = grid(sec, true);
  var body = figure(wrap, { id: 'win-back', title: 'Win-back list: at-risk customers with the highest predicted CLV',
    subtitle: 'The ' + Math.min(wb.limit, wb.customers.length) + ' highest of ' + fmt('int', wb.total) + ' customers in the at_risk band' + (wb.total > wb.limit ? ' (capped at ' + wb.limit + ')' : '') + '; the first 20 shown, all in the CSV.',
    table: 'churn_risk_v1 + clv_predictions_v1', columns: ['customer_id', 'risk_band', 'p_alive', 'days_since_last_order', 'clv_12m'] });
  var top = wb.customers.slice(0, 20);
  hbarChart(body, { title: 'Top at-risk customers by predicted CLV', kind: 'money', xLabel: 'Predicted 12-month CLV (order currency)',
    items: top.slice(0, 10).map(function (r) { return { label: r.customer_id, value: r.clv_12m, color: PAL[1], title: r.customer_id + ': CLV ' + fmt('money', r.clv_12m) + ', P(alive) ' + fmt('pct', r.p_alive) + ', ' + r.days_since_last_order + ' days since the last order' }; }) });
  var keys = ['customer_id', 'clv_12m', 'p_alive', 'days_since_last_order', 'repeat_purchases', 'expected_days_to_next_purchase'];
  var btn = h('button', { type: 'button', class: 'button', id: 'win-back-csv', text: 'Download the list (CSV, ' + wb.customers.length + ' rows)' });
  btn.addEventListener('click', function () {
    var lines = [keys.join(',')].concat(wb.customers.map(function (r) { return keys.map(function (k) { return csvCell(r[k]); }).join(','); }));
    var a = h('a', { href: URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' })), download: 'win-back.csv' });
    document.body.appendChild(a); a.click(); a.remove();
  });
  body.appendChild(btn);
  table(body, [{ key: 'customer_id', label: 'Customer' }, { key: 'clv_12m', label: 'Predicted CLV', num: true, kind: 'money' }, { key: 'p_alive', label: 'P(alive)', num: true, kind: 'pct' },
    { key: 'days_since_last_order', label: 'Days since last order', num: true, kind: 'int' }, { key: 'repeat_purchases', label: 'Repeat purchases', num: true, kind: 'int' }], top);
}

`;

const HEALTH_JS = String.raw`
function health() {
  var hd = D.health;
  if (!hd) return;
  var run = hd.run;
  var sec = section('health', 'Data health', 'The last run (' + run.run_id + ', ' + run.status + ', as of ' + (run.as_of || '–') + (run.as_of && run.as_of_basis ? ' (' + run.as_of_basis + ')' : '') + ') and the runs before it.');
  var rw = hd.run_warnings || [];
  // First in the section: a number that may be wrong is the one thing here nobody may overlook.
  if (rw.length) {
    sec.appendChild(h('div', { id: 'run-warnings', role: 'alert' }, [
      h('h3', { class: 'status-failed', text: rw.length + ' warning' + (rw.length === 1 ? '' : 's') + ': numbers that may be wrong — check before you use them' }),
      h('ul', null, rw.map(function (w) { return h('li', { text: '[' + w.kind + '] ' + w.message }); }))
    ]));
  }
  if (run.error) sec.appendChild(h('p', { class: 'status-failed', text: 'Error: ' + run.error }));
  var g = grid(sec);
  var body = figure(g, { id: 'run-files', title: 'Rows in the files of the last run by outcome', subtitle: run.files_loaded + ' files loaded, ' + run.files_quarantined + ' quarantined, ' + (run.files_skipped ? run.files_skipped + ' skipped (not readable files), ' : '') + run.files_already_ingested + ' already ingested before; tests ' + run.tests_passed + ' passed, ' + run.tests_failed + ' failed.',
    table: '_runs/latest.json', columns: ['ingest.rows_loaded', 'ingest.rows_rejected', 'ingest.files_quarantined'],
    explain: 'Every run writes its manifest to _runs/<run_id>.json and _runs/latest.json: the files it ingested, row counts, the models built and their tests.' });
  hbarChart(body, { title: 'Rows by outcome', kind: 'int', xLabel: 'Rows (files for quarantined)',
    items: [{ label: 'rows loaded', value: run.rows_loaded, color: PAL[2] }, { label: 'rows rejected', value: run.rows_rejected, color: PAL[5] }, { label: 'files quarantined', value: run.files_quarantined, color: PAL[1] }] });
  var rb = figure(g, { id: 'reject-reasons', title: 'Top reasons rows were rejected in the last run', table: 'rejects/', columns: ['_reject_reason'],
    explain: 'Rows refused at ingest are kept in rejects/<dataset>/<file>.parquet with the reason in _reject_reason; the rest of their file was loaded.' });
  hbarChart(rb, { title: 'Top reject reasons', kind: 'int', xLabel: 'Rejected rows', emptyText: 'No row was rejected in the last run.',
    items: hd.reject_reasons.map(function (r) { return { label: r.reason, value: r.rows, color: PAL[5] }; }) });
  var lists = h('div', { class: 'charts' });
  sec.appendChild(lists);
  var left = h('div'), right = h('div');
  lists.appendChild(left); lists.appendChild(right);
  left.appendChild(h('h3', { text: 'Files with problems' }));
  var fileRows = hd.files.map(function (f) {
    var reasons = (f.top_reasons || []).map(function (r) { return r.reason + ': ' + fmt('int', r.rows); }).join('; ');
    return { key: f.key, outcome: f.outcome, rows_rejected: f.rows_rejected, why: [f.error, reasons].filter(Boolean).join(' — ') || null };
  });
  if (hd.files.length) table(left, [{ key: 'key', label: 'File' }, { key: 'outcome', label: 'Outcome' }, { key: 'rows_rejected', label: 'Rows rejected', num: true, kind: 'int' }, { key: 'why', label: 'Why (top reasons: rows)' }], fileRows, { id: 'problem-files' });
  else left.appendChild(h('p', { class: 'note', text: 'None.' }));
  left.appendChild(h('h3', { text: 'Missing datasets' }));
  left.appendChild(h('p', { class: 'note', text: hd.missing_datasets.length ? hd.missing_datasets.join(', ') + ': the models that need them were skipped.' : 'None: every dataset had data.' }));
  left.appendChild(h('h3', { text: 'Warnings' }));
  if (hd.warnings.length) left.appendChild(h('ul', null, hd.warnings.map(function (w) { return h('li', { text: w }); })));
  else left.appendChild(h('p', { class: 'note', text: 'None.' }));
  right.appendChild(h('h3', { text: 'Run history' }));
  var t = table(right, [{ key: 'started_at', label: 'Started (UTC)' }, { key: 'as_of', label: 'As of' }, { key: 'status', label: 'Status' }, { key: 'run_id', label: 'Run' }], hd.history);
  Array.prototype.forEach.call(t.querySelectorAll('td[data-col=status]'), function (td) { td.className = 'status-' + td.textContent; });
}

`;

/**
 * The page's script: lays out the embedded JSON (the section queries' rows) as hand-written SVG
 * charts. Hand-written rather than a charting library: a few hundred lines, no dependency to keep
 * up, every mark with an SVG <title> tooltip. Plain ES2017, no template literals (these are).
 */
export const REPORT_JS = String.raw`
(function () {
'use strict';
${CHARTS_JS}
${SECTIONS_JS}
${SEGMENTS_JS}
${HEALTH_JS}
scorecard(); cohorts(); retention(); revenue(); subscriptions(); voice(); predictive(); segments(); health();
if (!main.children.length) main.appendChild(h('p', { text: 'No published tables yet: run the pipeline first.' }));
})();
`;
