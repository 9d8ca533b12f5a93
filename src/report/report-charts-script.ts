/**
 * The page's drawing primitives (part of REPORT_JS, report-script.ts): the embedded data, DOM and
 * SVG helpers, number formats, scales, and the line, bar, horizontal-bar and heatmap charts and
 * tables every section draws with. Plain ES2017 inside a String.raw (no template literals).
 */
export const CHARTS_JS = String.raw`
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

`;
