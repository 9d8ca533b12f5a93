/**
 * The page's script: lays out the embedded JSON (the section queries' rows) as hand-written SVG
 * charts. Hand-written rather than a charting library: a few hundred lines, no dependency to keep
 * up, every mark with an SVG <title> tooltip. Plain ES2017, no template literals (this is one).
 */
export const REPORT_JS = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('report-data').textContent);
var SVG = 'http://www.w3.org/2000/svg';
var W = 640, H = 250;
var PAL = ['var(--c1)', 'var(--c2)', 'var(--c3)', 'var(--c4)', 'var(--c5)', 'var(--c6)', 'var(--c7)'];
var VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function put(e, attrs, kids) {
  for (var k in attrs || {}) {
    var v = attrs[k];
    if (v === undefined || v === null) continue;
    if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  add(e, kids);
  return e;
}
function add(e, kids) {
  if (kids === undefined || kids === null) return;
  if (Array.isArray(kids)) { kids.forEach(function (k) { add(e, k); }); return; }
  e.appendChild(typeof kids === 'string' ? document.createTextNode(kids) : kids);
}
function h(tag, attrs, kids) { return put(document.createElement(tag), attrs, kids); }
function s(tag, attrs, kids) { return put(document.createElementNS(SVG, tag), attrs, kids); }
function tip(node, text) { node.appendChild(s('title', { text: text })); return node; }

function locale(v, digits) { return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }); }
var FMT = {
  pct: function (v) { return (v * 100).toFixed(1) + '%'; },
  money: function (v) { return locale(v, 2); },
  money0: function (v) { return locale(v, 0); },
  int: function (v) { return locale(Math.round(v), 0); },
  dec1: function (v) { return v.toFixed(1); },
  dec2: function (v) { return v.toFixed(2); },
  dec3: function (v) { return v.toFixed(3); }
};
function fmt(kind, v) { return v === null || v === undefined || !isFinite(v) ? '–' : FMT[kind](v); }
function monthName(m) {
  var names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return names[Number(m.slice(5, 7)) - 1] + ' ' + m.slice(0, 4);
}
function monthLabel(m, partial) { return m + (partial ? '*' : ''); }

function niceScale(lo, hi, count) {
  if (lo === hi) { lo = lo - (Math.abs(lo) || 1) * 0.5; hi = hi + (Math.abs(hi) || 1) * 0.5; }
  var raw = (hi - lo) / (count || 5);
  var mag = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * mag; }).find(function (st) { return st >= raw; });
  var min = Math.floor(lo / step) * step, max = Math.ceil(hi / step) * step, ticks = [];
  for (var t = min; t <= max + step / 2; t += step) ticks.push(Math.abs(t) < step / 1e6 ? 0 : t);
  return { min: min, max: max, ticks: ticks };
}
function extent(values, withZero) {
  var vs = values.filter(function (v) { return v !== null && v !== undefined && isFinite(v); });
  if (!vs.length) return null;
  var lo = Math.min.apply(null, vs), hi = Math.max.apply(null, vs);
  if (withZero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  return [lo, hi];
}
function viridis(t) {
  t = Math.max(0, Math.min(1, isFinite(t) ? t : 0));
  var x = t * (VIRIDIS.length - 1), i = Math.min(Math.floor(x), VIRIDIS.length - 2), f = x - i;
  var c = VIRIDIS[i].map(function (a, j) { return Math.round(a + (VIRIDIS[i + 1][j] - a) * f); });
  return { fill: 'rgb(' + c.join(',') + ')', dark: t < 0.55 };
}

// ---- page furniture -------------------------------------------------------------------------
var main = document.getElementById('report');
var nav = document.getElementById('nav');
function section(id, title, lead) {
  var sec = h('section', { id: id }, [h('h2', { text: title })]);
  if (lead) sec.appendChild(h('p', { class: 'lead', text: lead }));
  main.appendChild(sec);
  nav.appendChild(h('a', { href: '#' + id, text: title }));
  return sec;
}
function grid(parent, wide) { var g = h('div', { class: 'charts' + (wide ? ' wide' : '') }); parent.appendChild(g); return g; }
function definitions(table, columns, explain) {
  var det = h('details', { class: 'defs' }, [h('summary', { text: 'Definitions' })]);
  var d = D.definitions[table];
  if (!d) { det.appendChild(h('p', { text: explain || 'No declaration found for ' + table + '.' })); return det; }
  det.appendChild(h('p', { text: table + ': ' + d.description }));
  var dl = h('dl');
  columns.forEach(function (c) { dl.appendChild(h('dt', { text: c })); dl.appendChild(h('dd', { text: d.columns[c] || '(not declared)' })); });
  det.appendChild(dl);
  return det;
}
/** A chart's frame: title, subtitle, body, source line and definitions. Returns the body. */
function figure(parent, o) {
  var body = h('div', { class: 'chart-body' });
  var fig = h('figure', { class: 'chart', id: o.id }, [h('h3', { text: o.title })]);
  if (o.subtitle) fig.appendChild(h('p', { class: 'sub', text: o.subtitle }));
  fig.appendChild(body);
  fig.appendChild(h('p', { class: 'source', text: 'Source: ' + o.table + ' · ' + o.columns.join(', ') }));
  fig.appendChild(definitions(o.table, o.columns, o.explain));
  parent.appendChild(fig);
  return body;
}
function legend(body, series) {
  body.appendChild(h('ul', { class: 'legend' }, series.map(function (sr) {
    return h('li', null, [h('span', { class: 'swatch', style: 'background:' + sr.color }), sr.label]);
  })));
}
function partialNote(body, any) {
  if (any) body.appendChild(h('p', { class: 'note', text: '* partial month (hollow point, dashed line or outlined bar): not complete yet.' }));
}
function empty(body, text) { body.appendChild(h('p', { class: 'note', text: text || 'No values yet.' })); }
function svgFrame(title, height) {
  return s('svg', { viewBox: '0 0 ' + W + ' ' + height, class: 'plot', role: 'img', 'aria-label': title, preserveAspectRatio: 'xMidYMid meet' });
}
/** Axis ticks: whole money amounts, thousands as k; the tooltips keep the exact value. */
function tickText(kind, t, sc) {
  var big = Math.max(Math.abs(sc.min), Math.abs(sc.max)) >= 10000;
  if ((kind === 'money' || kind === 'money0' || kind === 'int') && big) return t === 0 ? '0' : locale(t / 1000, 0) + 'k';
  return fmt(kind === 'money' ? 'money0' : kind, t);
}
function yAxis(svg, sc, m, ih, label, kind) {
  var y = function (v) { return m.t + ih - (v - sc.min) / (sc.max - sc.min) * ih; };
  sc.ticks.forEach(function (t) {
    svg.appendChild(s('line', { class: 'grid', x1: m.l, x2: W - m.r, y1: y(t), y2: y(t) }));
    svg.appendChild(s('text', { x: m.l - 6, y: y(t) + 4, 'text-anchor': 'end', text: tickText(kind, t, sc) }));
  });
  svg.appendChild(s('text', { class: 'axis-label', transform: 'translate(12,' + (m.t + ih / 2) + ') rotate(-90)', 'text-anchor': 'middle', text: label }));
  return y;
}
function xLabels(svg, labels, xOf, m, ih, label, partial) {
  var step = Math.max(1, Math.ceil(labels.length / (labels.length <= 12 ? 12 : 8)));
  labels.forEach(function (l, i) {
    if (i % step !== 0 && i !== labels.length - 1) return;
    if (i !== labels.length - 1 && labels.length - 1 - i < step / 2) return;
    svg.appendChild(s('text', { x: xOf(i), y: m.t + ih + 15, 'text-anchor': 'middle', text: l + (partial && partial[i] ? '*' : '') }));
  });
  svg.appendChild(s('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: m.t + ih, y2: m.t + ih }));
  svg.appendChild(s('text', { class: 'axis-label', x: m.l + (W - m.l - m.r) / 2, y: m.t + ih + 33, 'text-anchor': 'middle', text: label }));
}

/** Lines over months. o: title, months, partial, series [{label, color, values, extra?}], kind, yLabel, zero */
function lineChart(body, o) {
  var ext = extent([].concat.apply([], o.series.map(function (sr) { return sr.values; })), o.zero);
  if (!ext) return empty(body);
  var m = { l: 66, r: 14, t: 10, b: 42 }, ih = H - m.t - m.b, iw = W - m.l - m.r, n = o.months.length;
  var svg = svgFrame(o.title, H), sc = niceScale(ext[0], ext[1]);
  var y = yAxis(svg, sc, m, ih, o.yLabel, o.kind);
  var x = function (i) { return m.l + (n === 1 ? iw / 2 : i * iw / (n - 1)); };
  xLabels(svg, o.months, x, m, ih, 'Month', o.partial);
  o.series.forEach(function (sr) {
    var prev = null;
    sr.values.forEach(function (v, i) {
      if (v === null || v === undefined || !isFinite(v)) { prev = null; return; }
      if (prev !== null) {
        svg.appendChild(s('line', { x1: x(prev), y1: y(sr.values[prev]), x2: x(i), y2: y(v),
          style: 'stroke:' + sr.color + ';stroke-width:2' + (o.partial[i] ? ';stroke-dasharray:4 3' : '') }));
      }
      prev = i;
    });
    sr.values.forEach(function (v, i) {
      if (v === null || v === undefined || !isFinite(v)) return;
      var dot = s('circle', { cx: x(i), cy: y(v), r: n > 40 ? 2.2 : 3,
        style: 'stroke:' + sr.color + ';stroke-width:1.5;fill:' + (o.partial[i] ? 'var(--bg)' : sr.color) });
      tip(dot, sr.label + ' · ' + monthLabel(o.months[i], o.partial[i]) + ': ' + fmt(o.kind, v) + (sr.extra ? sr.extra(i) : '') + (o.partial[i] ? ' (partial month)' : ''));
      svg.appendChild(dot);
    });
  });
  body.appendChild(svg);
  if (o.series.length > 1) legend(body, o.series);
  partialNote(body, o.partial.some(Boolean));
}

/** Bars per category, stacked (negatives below the axis) or side by side. */
function barChart(body, o) {
  var n = o.categories.length, stackedSums = [];
  if (o.stacked) {
    for (var i = 0; i < n; i++) {
      var pos = 0, neg = 0;
      o.series.forEach(function (sr) { var v = sr.values[i] || 0; if (v >= 0) pos += v; else neg += v; });
      stackedSums.push(pos, neg);
    }
  }
  var ext = extent(o.stacked ? stackedSums : [].concat.apply([], o.series.map(function (sr) { return sr.values; })), true);
  if (!ext) return empty(body);
  var m = { l: 66, r: 14, t: 10, b: 42 }, ih = H - m.t - m.b, iw = W - m.l - m.r;
  var svg = svgFrame(o.title, H), sc = niceScale(ext[0], ext[1]);
  var y = yAxis(svg, sc, m, ih, o.yLabel, o.kind);
  var band = iw / n, x = function (i) { return m.l + band * (i + 0.5); };
  var partial = o.partial || [];
  xLabels(svg, o.categories, x, m, ih, o.xLabel, partial);
  var groups = o.stacked ? 1 : o.series.length, bw = Math.max(1, band * 0.8 / groups);
  for (var c = 0; c < n; c++) {
    var up = 0, down = 0;
    o.series.forEach(function (sr, j) {
      var v = sr.values[c];
      if (v === null || v === undefined || !isFinite(v)) return;
      var base, x0;
      if (o.stacked) { base = v >= 0 ? up : down; if (v >= 0) up += v; else down += v; x0 = x(c) - bw / 2; }
      else { base = 0; x0 = x(c) - band * 0.4 + j * bw; }
      var y0 = y(base), y1 = y(base + v);
      var r = s('rect', { x: x0, y: Math.min(y0, y1), width: bw, height: Math.max(0.5, Math.abs(y1 - y0)),
        style: 'fill:' + sr.color, class: partial[c] ? 'partial' : null });
      tip(r, sr.label + ' · ' + o.categories[c] + (partial[c] ? '*' : '') + ': ' + fmt(o.kind, v) + (sr.extra ? sr.extra(c) : '') + (partial[c] ? ' (partial month)' : ''));
      svg.appendChild(r);
    });
  }
  svg.appendChild(s('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: y(0), y2: y(0) }));
  body.appendChild(svg);
  if (o.series.length > 1 || o.legend) legend(body, o.series);
  partialNote(body, partial.some(Boolean));
}

/** Horizontal bars, one per item: [{label, value, title}]. */
function hbarChart(body, o) {
  if (!o.items.length) return empty(body, o.emptyText);
  var rowH = 22, m = { l: 230, r: 70, t: 6, b: 36 }, height = m.t + m.b + rowH * o.items.length, iw = W - m.l - m.r;
  var max = Math.max.apply(null, o.items.map(function (it) { return it.value; })) || 1;
  var svg = svgFrame(o.title, height);
  o.items.forEach(function (it, i) {
    var yy = m.t + i * rowH, label = it.label.length > 38 ? it.label.slice(0, 37) + '…' : it.label;
    svg.appendChild(tip(s('text', { x: m.l - 6, y: yy + 15, 'text-anchor': 'end', text: label }), it.label));
    var r = s('rect', { x: m.l, y: yy + 3, width: Math.max(1, it.value / max * iw), height: rowH - 6, style: 'fill:' + (it.color || PAL[0]) });
    svg.appendChild(tip(r, it.title || it.label + ': ' + fmt(o.kind, it.value)));
    svg.appendChild(s('text', { x: m.l + it.value / max * iw + 4, y: yy + 15, text: fmt(o.kind, it.value) }));
  });
  var base = m.t + rowH * o.items.length;
  svg.appendChild(s('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: base, y2: base }));
  svg.appendChild(s('text', { class: 'axis-label', x: m.l + iw / 2, y: base + 26, 'text-anchor': 'middle', text: o.xLabel }));
  body.appendChild(svg);
}

/** A grid of cells coloured on a viridis scale. o: rows, cols, cell(r, c) → {v, title, partial, attrs} | null */
function heatmap(body, o) {
  var values = [];
  o.rows.forEach(function (_, r) { o.cols.forEach(function (_, c) { var cell = o.cell(r, c); if (cell && isFinite(cell.v)) values.push(cell.v); }); });
  if (!values.length) return empty(body);
  var lo = o.domain ? o.domain[0] : Math.min.apply(null, values), hi = o.domain ? o.domain[1] : Math.max.apply(null, values);
  var m = { l: o.left || 110, r: 10, t: 8, b: 60 }, iw = W - m.l - m.r;
  var cw = iw / o.cols.length, ch = Math.max(9, Math.min(o.rows.length > 20 ? 15 : 24, cw)), ih = ch * o.rows.length, height = m.t + ih + m.b;
  var svg = svgFrame(o.title, height);
  o.rows.forEach(function (rowLabel, r) {
    var yy = m.t + r * ch;
    if (o.rows.length <= 40 || r % 2 === 0) svg.appendChild(s('text', { x: m.l - 4, y: yy + ch / 2 + 3.5, 'text-anchor': 'end', text: rowLabel }));
    o.cols.forEach(function (_, c) {
      var cell = o.cell(r, c);
      if (!cell || !isFinite(cell.v)) return;
      var col = viridis(hi === lo ? 1 : (cell.v - lo) / (hi - lo));
      var attrs = { x: m.l + c * cw, y: yy, width: Math.max(0.5, cw - 1), height: Math.max(0.5, ch - 1), style: 'fill:' + col.fill, class: cell.partial ? 'partial' : null };
      for (var k in cell.attrs || {}) attrs[k] = cell.attrs[k];
      svg.appendChild(tip(s('rect', attrs), cell.title));
      if (cw >= 30 && cell.text) svg.appendChild(s('text', { class: 'cell', x: m.l + c * cw + cw / 2 - 0.5, y: yy + ch / 2 + 3, 'text-anchor': 'middle', style: 'fill:' + (col.dark ? '#fff' : '#000'), text: cell.text }));
    });
  });
  var step = Math.max(1, Math.ceil(o.cols.length / 12));
  o.cols.forEach(function (l, c) {
    if (c % step === 0) svg.appendChild(s('text', { x: m.l + c * cw + cw / 2, y: m.t + ih + 13, 'text-anchor': 'middle', text: l }));
  });
  svg.appendChild(s('text', { class: 'axis-label', x: m.l + iw / 2, y: m.t + ih + 29, 'text-anchor': 'middle', text: o.xLabel }));
  svg.appendChild(s('text', { class: 'axis-label', transform: 'translate(12,' + (m.t + ih / 2) + ') rotate(-90)', 'text-anchor': 'middle', text: o.yLabel }));
  // colour legend
  var ly = m.t + ih + 40, lw = Math.min(220, iw), stops = 24;
  for (var i = 0; i < stops; i++) svg.appendChild(s('rect', { x: m.l + i * lw / stops, y: ly, width: lw / stops + 0.5, height: 8, style: 'fill:' + viridis(i / (stops - 1)).fill }));
  svg.appendChild(s('text', { x: m.l, y: ly + 19, text: fmt(o.kind, lo) }));
  svg.appendChild(s('text', { x: m.l + lw, y: ly + 19, 'text-anchor': 'end', text: fmt(o.kind, hi) }));
  svg.appendChild(s('text', { x: m.l + lw + 8, y: ly + 8, text: o.legendLabel }));
  svg.setAttribute('class', 'plot heat');
  body.appendChild(h('div', { class: 'scroll' }, svg));
}

function table(parent, columns, rows, attrs) {
  var t = h('table', attrs, [h('thead', null, h('tr', null, columns.map(function (c) { return h('th', { class: c.num ? 'num' : null, text: c.label }); })))]);
  var tb = h('tbody');
  rows.forEach(function (r) {
    tb.appendChild(h('tr', null, columns.map(function (c) {
      var v = r[c.key];
      return h('td', { class: c.num ? 'num' : null, 'data-col': c.key, text: c.kind ? fmt(c.kind, v) : String(v === null || v === undefined ? '–' : v) });
    })));
  });
  t.appendChild(tb);
  parent.appendChild(h('div', { class: 'table-wrap' }, t));
  return t;
}
function col(rows, key) { return rows.map(function (r) { return r[key]; }); }
function months(rows) { return col(rows, 'month'); }
function partials(rows) { return col(rows, 'partial'); }
function monthly(parent, rows, o) {
  var body = figure(parent, { id: o.id, title: o.title, subtitle: o.subtitle, table: o.table, columns: o.columns });
  lineChart(body, { title: o.title, months: months(rows), partial: partials(rows), kind: o.kind, yLabel: o.yLabel, zero: o.zero,
    series: o.series.map(function (sr, i) { return { label: sr.label, color: sr.color || PAL[i], values: col(rows, sr.key), extra: sr.extra }; }) });
  return body;
}

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

scorecard(); cohorts(); retention(); revenue(); subscriptions(); voice(); predictive(); segments(); health();
if (!main.children.length) main.appendChild(h('p', { text: 'No published tables yet: run the pipeline first.' }));
})();
`;
