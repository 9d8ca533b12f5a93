/**
 * The page's segments section (part of REPORT_JS, report-script.ts): a dimension switch, the KPIs
 * and trends per segment value, and one value's cohort heatmap. Uses the primitives of CHARTS_JS.
 */
export const SEGMENTS_JS = String.raw`
var DIMENSION_LABELS = { acquisition_channel: 'Acquisition channel', segment: 'Segment', country: 'Country' };
function segments() {
  var dims = D.segments;
  if (!dims || !dims.length) return;
  var sec = section('segments', 'Segments', 'The headline figures and cohorts within each group of customers (from the customers export: a customer\'s latest row), to see which groups are the most valuable and which are slipping.');
  var sw = h('div', { class: 'switch', role: 'group', 'aria-label': 'Segment dimension' });
  var view = h('div');
  sec.appendChild(sw); sec.appendChild(view);
  var t = 'segment_kpis_monthly_v1';
  function draw(dim) {
    view.textContent = '';
    Array.prototype.forEach.call(sw.children, function (b) { b.setAttribute('aria-pressed', String(b.dataset.dimension === dim.dimension)); });
    if (dim.more_values) view.appendChild(h('p', { class: 'note', text: 'The ' + dim.values.length + ' largest values by customers are shown; ' + dim.more_values + ' more are in the table.' }));
    var latestRows = dim.values.map(function (sv) {
      var complete = sv.months.filter(function (m) { return !m.partial; });
      var last = complete[complete.length - 1] || sv.months[sv.months.length - 1] || {};
      var asOf = sv.months[sv.months.length - 1] || {};
      return { value: sv.value, customers: sv.customers, month: last.month, active_customers: last.active_customers, revenue: last.revenue, retention_rate: last.retention_rate,
        repeat_purchase_rate_12m: last.repeat_purchase_rate_12m, avg_order_value_12m: last.avg_order_value_12m, clv_formula: last.clv_formula, avg_predicted_clv_12m: asOf.avg_predicted_clv_12m };
    });
    var kb = figure(view, { id: 'segment-kpis', title: 'KPIs per ' + (DIMENSION_LABELS[dim.dimension] || dim.dimension).toLowerCase() + ', latest complete month',
      subtitle: 'Customers: all with a first order in the segment. Predicted CLV: the mean over the segment\'s customers as of the last run.',
      table: t, columns: ['dimension', 'segment_value', 'month', 'active_customers', 'revenue', 'retention_rate', 'repeat_purchase_rate_12m', 'avg_order_value_12m', 'clv_formula', 'avg_predicted_clv_12m'] });
    table(kb, [{ key: 'value', label: DIMENSION_LABELS[dim.dimension] || dim.dimension }, { key: 'customers', label: 'Customers', num: true, kind: 'int' }, { key: 'month', label: 'Month' },
      { key: 'active_customers', label: 'Active', num: true, kind: 'int' }, { key: 'revenue', label: 'Revenue', num: true, kind: 'money0' }, { key: 'retention_rate', label: 'Retention', num: true, kind: 'pct' },
      { key: 'repeat_purchase_rate_12m', label: 'Repeat rate (12 m)', num: true, kind: 'pct' }, { key: 'avg_order_value_12m', label: 'AOV (12 m)', num: true, kind: 'money' },
      { key: 'clv_formula', label: 'CLV (formula)', num: true, kind: 'money' }, { key: 'avg_predicted_clv_12m', label: 'Predicted CLV (12 m)', num: true, kind: 'money' }], latestRows, { id: 'segment-kpis-table' });
    var g = grid(view);
    var ms = dim.values[0].months;
    // One colour per line: the largest segments only.
    var drawn = dim.values.slice(0, PAL.length);
    if (drawn.length < dim.values.length) view.appendChild(h('p', { class: 'note', text: 'Charts: the ' + drawn.length + ' largest segments (all in the table above).' }));
    [{ id: 'segment-retention', key: 'retention_rate', title: 'Monthly retention rate per segment', kind: 'pct', yLabel: 'Retained share of customers (%)' },
      { id: 'segment-repeat', key: 'repeat_purchase_rate_12m', title: 'Repeat purchase rate (trailing 12 months) per segment', kind: 'pct', yLabel: 'Customers with 2+ orders (%)' },
      { id: 'segment-revenue', key: 'revenue', title: 'Revenue per month per segment', kind: 'money0', yLabel: 'Revenue (order currency)' },
      { id: 'segment-aov', key: 'avg_order_value_12m', title: 'Average order value (trailing 12 months) per segment', kind: 'money', yLabel: 'Revenue per order' }].forEach(function (c) {
      var body = figure(g, { id: c.id, title: c.title, table: t, columns: ['dimension', 'segment_value', 'month', c.key, 'is_partial_period'] });
      lineChart(body, { title: c.title, months: months(ms), partial: partials(ms), kind: c.kind, yLabel: c.yLabel, zero: true, legend: true,
        series: drawn.map(function (sv, i) { return { label: sv.value, color: PAL[i], values: col(sv.months, c.key) }; }) });
    });
    var withCohorts = dim.values.filter(function (sv) { return sv.cohorts; });
    if (!withCohorts.length) return;
    var hb = figure(view, { id: 'segment-cohorts', title: 'Cohort heatmap of one segment', subtitle: 'Share of each cohort of the segment active in each month since its first order. * partial month (outlined cells).',
      table: 'cohort_retention_by_segment_v1', columns: ['dimension', 'segment_value', 'cohort_month', 'period_number', 'cohort_size', 'retention_rate', 'is_partial_period'] });
    var pick = h('select', { id: 'segment-value', 'aria-label': 'Segment value' });
    withCohorts.forEach(function (sv) { pick.appendChild(h('option', { value: sv.value, text: sv.value + ' (' + fmt('int', sv.customers) + ' customers)' })); });
    var chart = h('div');
    hb.appendChild(pick); hb.appendChild(chart);
    function drawCohorts() {
      var sv = withCohorts.filter(function (x) { return x.value === pick.value; })[0];
      var c = sv.cohorts, maxP = 0;
      c.rates.forEach(function (row) { maxP = Math.max(maxP, row.length - 1); });
      var periods = [];
      for (var p = 0; p <= maxP; p++) periods.push(String(p));
      var later = [].concat.apply([], c.rates.map(function (row) { return row.slice(1); })).filter(function (v) { return v !== null; });
      chart.textContent = '';
      heatmap(chart, { title: 'Cohort heatmap, ' + dim.dimension + ' = ' + sv.value, rows: c.cohorts.map(function (co, i) { return co + ' (' + c.sizes[i] + ')'; }), cols: periods,
        xLabel: 'Months since first order', yLabel: 'Cohort (first-order month, customers)', kind: 'pct', domain: [0, Math.max.apply(null, later.concat([0.01]))], legendLabel: 'share active (months 1+)', left: 128,
        cell: function (r, col) {
          var v = c.rates[r][col];
          if (v === null || v === undefined) return null;
          return { v: v, partial: c.partial[r][col], text: fmt('pct', v), attrs: { 'data-cohort': c.cohorts[r], 'data-period': col, 'data-segment': sv.value },
            title: dim.dimension + ' = ' + sv.value + ', cohort ' + c.cohorts[r] + ' (' + c.sizes[r] + ' customers), month ' + col + (c.partial[r][col] ? ' (partial)' : '') + ': share active ' + fmt('pct', v) };
        } });
    }
    pick.addEventListener('change', drawCohorts);
    drawCohorts();
  }
  dims.forEach(function (dim) {
    var b = h('button', { type: 'button', 'data-dimension': dim.dimension, text: DIMENSION_LABELS[dim.dimension] || dim.dimension });
    b.addEventListener('click', function () { draw(dim); });
    sw.appendChild(b);
  });
  draw(dims[0]);
}

`;
