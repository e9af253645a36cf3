/**
 * The run's plots as SVG documents, one module for both front ends: Node renders them to PNG with
 * sharp (RUN_DIR/loss.png, RUN_DIR/metrics.png) and the app puts the same SVG in the page, so a
 * plot reads the same in both places. Hand-written SVG because it is small, needs no DOM (Node
 * has none) and renders identically in librsvg and the browser; the plotting libraries that render
 * to SVG without a DOM (Vega) would add megabytes to the app for two line charts.
 *   - loss plot: the raw per-step losses as thin lines under an exponential moving average (the
 *     factor is in the legend), real step ticks, axis titles, the start of the GAN phase marked, and
 *     the adversarial/D panel only when the log holds GAN steps;
 *   - metrics plot: PSNR-Y, SSIM-Y and the sharpness ratio on the held-out images over the steps,
 *     for this run's generator, bicubic and the model the run started from.
 */
import type { StepLog } from '../train/trainer.js';
import type { MetricsRow } from './metrics-log.js';

/** About `count` round ticks (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const step = niceStep((hi - lo) / Math.max(1, count));
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(clean(k * step));
  return ticks;
}

function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9))!;
}

const clean = (v: number) => Number(v.toPrecision(12));

/** [lo, hi] widened to whole tick steps, so the data never touches the frame. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.5;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep((hi - lo) / count);
  return [clean(Math.floor(lo / step) * step), clean(Math.ceil(hi / step) * step)];
}

/** Ticks for a log axis: 1, 2, 5 × 10^k inside [lo, hi] (linear ticks when it spans under a decade). */
export function logTicks(lo: number, hi: number): number[] {
  if (hi / lo < 10) return niceTicks(lo, hi, 5).filter((t) => t > 0);
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of hi / lo > 1e4 ? [1] : [1, 2, 5]) {
      const v = clean(m * 10 ** e);
      if (v >= lo && v <= hi) out.push(v);
    }
  return out;
}

/**
 * Exponential moving average as TensorBoard smooths: s ← f·s + (1 − f)·v, divided by (1 − f^n)
 * so the first points are not pulled towards 0. Non-finite values are skipped (NaN out).
 */
export function emaSmooth(values: readonly number[], factor: number): number[] {
  let acc = 0,
    n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return NaN;
    acc = factor * acc + (1 - factor) * v;
    n++;
    return factor === 0 ? v : acc / (1 - factor ** n);
  });
}

/** The smoothing factor for a log of n steps: none for a handful, up to 0.98 for thousands. */
export function smoothingFactor(n: number): number {
  return n < 20 ? 0 : Math.round(Math.min(0.98, Math.max(0.6, 1 - 10 / n)) * 100) / 100;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 && Number.isInteger(v)) return `${clean(v / 1000)}k`;
  if (a >= 1e-4 && a < 1e5) return String(clean(Number(v.toPrecision(4))));
  return v.toExponential(0);
}

/**
 * Labels for a whole axis: formatTick's 4 significant digits, or more where that would print two
 * ticks alike (a PSNR axis from 25.122 to 25.128 dB in steps of 0.002 would read 25.12 three times).
 */
export function formatTicks(ticks: readonly number[]): string[] {
  const distinct = (labels: string[]) => new Set(labels).size === labels.length;
  let labels = ticks.map(formatTick);
  for (let digits = 5; digits <= 12 && !distinct(labels); digits++)
    labels = ticks.map((v) => (v === 0 ? '0' : String(clean(Number(v.toPrecision(digits))))));
  return labels;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Series {
  label: string;
  color: string;
  xs: readonly number[];
  ys: readonly number[];
  /** Draw the raw values thin and light under an EMA with this factor (0: the values as they are). */
  smooth?: number;
  dash?: string;
  markers?: boolean;
}

interface Panel {
  yTitle: string;
  series: Series[];
  log?: boolean;
  /** Horizontal reference lines (e.g. HR's sharpness ratio of 1). */
  refs?: { y: number; label: string }[];
}

export interface PlotSpec {
  title: string;
  panels: Panel[];
  /** Step at which the GAN phase starts, marked by a dashed line in every panel. */
  boundary?: number;
  /** A line under the title (e.g. the smoothing factor). */
  note?: string;
}

const WIDTH = 900,
  PANEL_H = 210,
  PAD = { l: 72, r: 190, t: 48, gap: 40, b: 44 };
const MAX_POINTS = 1500;

/** Every k-th index (and the last), so a long log draws at most about MAX_POINTS points. */
function thin(n: number): number[] {
  const k = Math.max(1, Math.ceil(n / MAX_POINTS));
  const idx: number[] = [];
  for (let i = 0; i < n; i += k) idx.push(i);
  if (n && idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

export function plotSvg(spec: PlotSpec): string {
  const height = PAD.t + spec.panels.length * PANEL_H + (spec.panels.length - 1) * PAD.gap + PAD.b;
  const plotW = WIDTH - PAD.l - PAD.r;
  const allX = spec.panels.flatMap((p) => p.series.flatMap((s) => s.xs));
  const [x0, x1] = allX.length ? [Math.min(...allX), Math.max(...allX)] : [0, 1];
  const xDomain: [number, number] = x1 > x0 ? [x0, x1] : [x0 - 1, x0 + 1];
  const xTicks = niceTicks(xDomain[0], xDomain[1], 8).filter((t) => Number.isInteger(t));
  const sx = (v: number) => PAD.l + ((v - xDomain[0]) / (xDomain[1] - xDomain[0])) * plotW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${PAD.l}" y="20" font-size="15" font-weight="bold">${esc(spec.title)}</text>`,
  ];
  if (spec.note) out.push(`<text x="${PAD.l}" y="38" fill="#555">${esc(spec.note)}</text>`);
  spec.panels.forEach((panel, pi) => {
    const top = PAD.t + pi * (PANEL_H + PAD.gap),
      plotH = PANEL_H;
    const ys = panel.series.flatMap((s) => s.ys.filter((y) => Number.isFinite(y) && (!panel.log || y > 0)));
    for (const r of panel.refs ?? []) ys.push(r.y);
    const log = !!panel.log && ys.length > 0;
    let lo: number, hi: number, yTicks: number[];
    if (!ys.length) [lo, hi, yTicks] = [0, 1, [0, 1]];
    else if (log) {
      [lo, hi] = [Math.min(...ys), Math.max(...ys)];
      if (hi / lo < 1.05) [lo, hi] = [lo / 1.05, hi * 1.05];
      yTicks = logTicks(lo, hi);
    } else {
      [lo, hi] = niceDomain(Math.min(...ys), Math.max(...ys));
      yTicks = niceTicks(lo, hi, 5);
    }
    const f = (v: number) => (log ? Math.log10(v) : v);
    const sy = (v: number) => top + plotH - ((f(v) - f(lo)) / (f(hi) - f(lo))) * plotH;
    out.push(`<rect x="${PAD.l}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
    const yLabels = formatTicks(yTicks),
      xLabels = formatTicks(xTicks);
    yTicks.forEach((t, i) => {
      const y = sy(t).toFixed(1);
      out.push(
        `<line x1="${PAD.l}" x2="${PAD.l + plotW}" y1="${y}" y2="${y}" stroke="#e6e6e6"/>`,
        `<text x="${PAD.l - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" class="ytick">${yLabels[i]}</text>`,
      );
    });
    xTicks.forEach((t, i) => {
      const x = sx(t).toFixed(1);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${top + plotH}" y2="${top + plotH + 5}" stroke="#888"/>`,
        `<text x="${x}" y="${top + plotH + 18}" text-anchor="middle" class="xtick">${xLabels[i]}</text>`,
      );
    });
    out.push(`<text transform="translate(${16} ${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-weight="bold">${esc(panel.yTitle)}</text>`);
    if (pi === spec.panels.length - 1)
      out.push(`<text x="${PAD.l + plotW / 2}" y="${top + plotH + 36}" text-anchor="middle" font-weight="bold">training step</text>`);
    if (spec.boundary !== undefined && spec.boundary > xDomain[0] && spec.boundary <= xDomain[1]) {
      const x = sx(spec.boundary).toFixed(1);
      // The label goes left of the line when the line is near the right edge (it would run into the legend).
      const right = sx(spec.boundary) > PAD.l + plotW * 0.8;
      out.push(
        `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#444" stroke-dasharray="5 4" class="phase-boundary"/>`,
        `<text x="${(sx(spec.boundary) + (right ? -5 : 5)).toFixed(1)}" y="${top + 14}" fill="#444" text-anchor="${right ? 'end' : 'start'}">${right ? '← phase 1 | GAN phase' : 'GAN phase →'}</text>`,
      );
    }
    for (const r of panel.refs ?? []) {
      const y = sy(r.y).toFixed(1);
      out.push(
        `<line x1="${PAD.l}" x2="${PAD.l + plotW}" y1="${y}" y2="${y}" stroke="#999" stroke-dasharray="2 3"/>`,
        `<text x="${PAD.l + plotW - 4}" y="${(sy(r.y) - 4).toFixed(1)}" text-anchor="end" fill="#777">${esc(r.label)}</text>`,
      );
    }
    const clip = `clip${pi}`;
    out.push(`<clipPath id="${clip}"><rect x="${PAD.l}" y="${top}" width="${plotW}" height="${plotH}"/></clipPath>`);
    const line = (xs: readonly number[], vals: readonly number[], attrs: string) => {
      const pts = thin(vals.length)
        .filter((i) => Number.isFinite(vals[i]) && (!log || vals[i] > 0))
        .map((i) => `${sx(xs[i]).toFixed(1)},${sy(vals[i]).toFixed(1)}`);
      return pts.length ? `<polyline clip-path="url(#${clip})" fill="none" points="${pts.join(' ')}" ${attrs}/>` : '';
    };
    panel.series.forEach((s, si) => {
      const smooth = s.smooth ?? 0;
      if (smooth > 0) out.push(line(s.xs, s.ys, `stroke="${s.color}" stroke-opacity="0.3" stroke-width="1"`));
      const shown = smooth > 0 ? emaSmooth(s.ys, smooth) : s.ys;
      out.push(line(s.xs, shown, `stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} class="series"`));
      if (s.markers)
        s.ys.forEach((y, i) => {
          if (Number.isFinite(y)) out.push(`<circle cx="${sx(s.xs[i]).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
        });
      const ly = top + 10 + si * 20;
      out.push(
        `<line x1="${WIDTH - PAD.r + 14}" x2="${WIDTH - PAD.r + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
        `<text x="${WIDTH - PAD.r + 46}" y="${ly + 4}" class="legend">${esc(s.label)}</text>`,
      );
    });
    if (!panel.series.some((s) => s.ys.some(Number.isFinite)))
      out.push(`<text x="${PAD.l + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" fill="#888">no data yet</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Where the GAN phase starts when the caller does not say (its phase1Steps): after the last
 * phase-1 point, if GAN points follow (undefined when the data holds only one phase).
 */
function lastPhase1Step(points: readonly { step: number; phase: number }[]): number | undefined {
  const i = points.findIndex((p) => p.phase === 2);
  return i > 0 ? points[i - 1].step : undefined;
}

export interface PlotOptions {
  /** The step after which the GAN phase starts (the config's phase1Steps); marked when inside the data. */
  ganStart?: number;
}

export function lossPlotSvg(logs: readonly StepLog[], title: string, opts: PlotOptions = {}): string {
  const factor = smoothingFactor(logs.length);
  const xs = logs.map((l) => l.step);
  const col = (k: keyof StepLog) => logs.map((l) => l[k] as number);
  const panels: Panel[] = [
    {
      yTitle: 'G content loss (log)',
      log: true,
      series: [{ label: 'G content', color: '#1f5fbf', xs, ys: col('g_content'), smooth: factor }],
    },
  ];
  const gan = logs.some((l) => l.phase === 2 && [l.g_adv, l.d_real, l.d_fake].some(Number.isFinite));
  if (gan)
    panels.push({
      yTitle: 'adversarial / D (BCE)',
      series: [
        { label: 'G adversarial', color: '#c0392b', xs, ys: col('g_adv'), smooth: factor },
        { label: 'D on real', color: '#2e8b57', xs, ys: col('d_real'), smooth: factor },
        { label: 'D on fake', color: '#e67e22', xs, ys: col('d_fake'), smooth: factor },
      ],
      refs: [{ y: Math.LN2, label: 'ln 2: D at chance' }],
    });
  const note = factor > 0 ? `thin: every step · bold: moving average (EMA, factor ${factor.toFixed(2)})` : 'every step (too few steps to smooth)';
  return plotSvg({ title, panels, boundary: gan ? (opts.ganStart ?? lastPhase1Step(logs)) : undefined, note });
}

/** Sharpness is a ratio from about 0.02 (bicubic) to 1 (the original) and beyond: a log axis keeps both ends legible. */
export function metricsPlotSvg(rows: readonly MetricsRow[], title: string, opts: PlotOptions = {}): string {
  const xs = rows.map((r) => r.step);
  const hasStart = rows.some((r) => r.start);
  const panel = (key: 'psnr_y' | 'ssim_y' | 'sharpness', yTitle: string, refs?: Panel['refs'], log = false): Panel => ({
    yTitle,
    refs,
    log,
    series: [
      { label: 'this run', color: '#1f5fbf', xs, ys: rows.map((r) => r.model[key]), markers: rows.length <= 60 },
      ...(hasStart ? [{ label: 'start model', color: '#e67e22', xs, ys: rows.map((r) => r.start?.[key] ?? NaN), dash: '2 3' }] : []),
      { label: 'bicubic', color: '#777', xs, ys: rows.map((r) => r.bicubic[key]), dash: '7 4' },
    ],
  });
  return plotSvg({
    title,
    boundary: rows.some((r) => r.phase === 2) ? (opts.ganStart ?? lastPhase1Step(rows)) : undefined,
    note: 'held-out faces and photo crop, ×4, Y channel; sharpness = Laplacian variance of the output / of the original',
    panels: [
      panel('psnr_y', 'PSNR-Y (dB)'),
      panel('ssim_y', 'SSIM-Y'),
      panel('sharpness', 'sharpness ratio (log)', [{ y: 1, label: 'original = 1' }], true),
    ],
  });
}
