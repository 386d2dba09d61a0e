/**
 * Small charts in plain SVG: stacked bars (jobs per bucket) and a line (a rate, a balance).
 * Each is a figure whose SVG is an image named by its <title> and described by its <desc>
 * (the summary a screen reader reads), with the same figures as a table under a disclosure:
 * the chart is for the eye, the table for everyone. Colours come from classes (the page's
 * Content-Security-Policy forbids style attributes), and every series is named in a legend, so
 * colour is never the only signal.
 */
import { h } from '../dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 180;
const PAD = { top: 10, right: 8, bottom: 22, left: 40 };

export interface Series {
  name: string;
  /** A CSS class giving the series its colour (see `.chart-*` in style.css). */
  className: string;
  values: number[];
}

export interface ChartSpec {
  /** Unique on the page: the ids of the title and description derive from it. */
  id: string;
  title: string;
  /** One sentence of what the chart shows, read out in place of the picture. */
  summary: string;
  /** One label per point, oldest first (shown under the axis, some skipped when crowded). */
  labels: string[];
  series: Series[];
  /** How a value reads in the table and on the axis: "3", "12 %". */
  format?: (value: number) => string;
  /** The first column's heading in the table. */
  labelHeading?: string;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

/** A round top for the axis: 1, 2, 5 or 10 times a power of ten, at least `max`. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((m) => m * power).find((m) => m >= max) ?? 10 * power) || 1;
}

function frame(
  spec: ChartSpec,
  top: number,
  format: (v: number) => string,
): { root: SVGSVGElement; plot: SVGGElement; x(i: number): number; y(v: number): number; step: number } {
  const n = Math.max(1, spec.labels.length);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const step = innerW / n;
  const x = (i: number) => PAD.left + i * step;
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const root = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${spec.id}-title ${spec.id}-desc`, class: 'chart', focusable: 'false' },
    svg('title', { id: `${spec.id}-title` }, spec.title),
    svg('desc', { id: `${spec.id}-desc` }, spec.summary),
  );
  const axis = svg('g', { class: 'chart-axis', 'aria-hidden': 'true' });
  for (const v of [0, top / 2, top]) {
    axis.append(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: 'chart-grid' }));
    axis.append(svg('text', { x: PAD.left - 4, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  // About six labels whatever the number of points.
  const every = Math.max(1, Math.ceil(n / 6));
  spec.labels.forEach((label, i) => {
    if (i % every === 0) axis.append(svg('text', { x: x(i) + step / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, label));
  });
  const plot = svg('g', { 'aria-hidden': 'true' });
  root.append(axis, plot);
  return { root, plot, x, y, step };
}

function legend(series: Series[]): HTMLElement {
  return h(
    'ul',
    { class: 'chart-legend', 'aria-hidden': 'true' },
    series.map((s) => h('li', null, h('span', { class: `chart-key ${s.className}` }), s.name)),
  );
}

function table(spec: ChartSpec, format: (v: number) => string): HTMLElement {
  return h(
    'details',
    { class: 'chart-table' },
    h('summary', null, 'Show as a table'),
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, spec.title),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, spec.labelHeading ?? 'Time'),
          spec.series.map((s) => h('th', { scope: 'col' }, s.name)),
        ),
      ),
      h(
        'tbody',
        null,
        spec.labels.map((label, i) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, label),
            spec.series.map((s) => h('td', null, format(s.values[i] ?? 0))),
          ),
        ),
      ),
    ),
  );
}

function figure(spec: ChartSpec, chart: SVGSVGElement, format: (v: number) => string): HTMLElement {
  return h('figure', { class: 'chart-figure', id: spec.id }, h('figcaption', null, spec.title), chart, legend(spec.series), table(spec, format));
}

/** Bars stacked per point, one segment per series. */
export function stackedBars(spec: ChartSpec): HTMLElement {
  const format = spec.format ?? ((v: number) => String(Math.round(v)));
  const totals = spec.labels.map((_, i) => spec.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const top = niceMax(Math.max(0, ...totals));
  const { root, plot, x, y, step } = frame(spec, top, format);
  const width = Math.max(1, step * 0.7);
  spec.labels.forEach((_, i) => {
    let base = 0;
    for (const s of spec.series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      plot.append(svg('rect', { x: x(i) + (step - width) / 2, y: y(base + v), width, height: y(base) - y(base + v), class: `chart-bar ${s.className}` }));
      base += v;
    }
  });
  return figure(spec, root, format);
}

/** One line per series; a point with no value (NaN) breaks the line. */
export function lineChart(spec: ChartSpec & { max?: number }): HTMLElement {
  const format = spec.format ?? ((v: number) => String(Math.round(v)));
  const values = spec.series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const top = spec.max ?? niceMax(Math.max(0, ...values));
  const { root, plot, x, y, step } = frame(spec, top, format);
  for (const s of spec.series) {
    let d = '';
    let pen = 'M';
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        pen = 'M';
        return;
      }
      d += `${pen}${(x(i) + step / 2).toFixed(1)},${y(v).toFixed(1)} `;
      pen = 'L';
      plot.append(svg('circle', { cx: (x(i) + step / 2).toFixed(1), cy: y(v).toFixed(1), r: 2.5, class: `chart-dot ${s.className}` }));
    });
    if (d) plot.prepend(svg('path', { d: d.trim(), class: `chart-line ${s.className}` }));
  }
  return figure(spec, root, (v) => (Number.isFinite(v) ? format(v) : '—'));
}
