/**
 * The loss plot as an SVG document (rendered to PNG by the Node run loop; the browser app draws
 * its live chart with Chart.js instead). Two panels, because the scales differ by orders of
 * magnitude: generator content loss (log scale) on top, adversarial and discriminator losses
 * below, each smoothed with an exponential moving average so the trend is readable.
 */
import type { StepLog } from './trainer.js';

const W = 900, PANEL_H = 260, PAD = { l: 70, r: 150, t: 30, b: 36 };
const SERIES: { key: keyof StepLog; label: string; color: string; panel: 0 | 1 }[] = [
  { key: 'g_content', label: 'G content', color: '#1f77b4', panel: 0 },
  { key: 'g_adv', label: 'G adversarial', color: '#d62728', panel: 1 },
  { key: 'd_real', label: 'D real', color: '#2ca02c', panel: 1 },
  { key: 'd_fake', label: 'D fake', color: '#ff7f0e', panel: 1 },
];

function ema(values: number[], alpha: number): number[] {
  let acc = NaN;
  return values.map((v) => {
    if (!Number.isFinite(v)) return NaN;
    acc = Number.isFinite(acc) ? alpha * v + (1 - alpha) * acc : v;
    return acc;
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function lossPlotSvg(logs: readonly StepLog[], title: string): string {
  const height = 2 * PANEL_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${PAD.l}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  const steps = logs.map((l) => l.step);
  const x0 = steps[0] ?? 0, x1 = Math.max(x0 + 1, steps[steps.length - 1] ?? 1);
  const alpha = Math.min(1, 20 / Math.max(1, logs.length));
  for (const panel of [0, 1] as const) {
    const top = panel * PANEL_H + PAD.t, plotH = PANEL_H - PAD.t - PAD.b, plotW = W - PAD.l - PAD.r;
    const series = SERIES.filter((s) => s.panel === panel)
      .map((s) => ({ ...s, ys: ema(logs.map((l) => l[s.key] as number), alpha) }))
      .filter((s) => s.ys.some(Number.isFinite));
    const all = series.flatMap((s) => s.ys.filter(Number.isFinite));
    const log = panel === 0 && all.length > 0 && Math.min(...all) > 0;
    const f = (v: number) => (log ? Math.log10(v) : v);
    let lo = all.length ? Math.min(...all.map(f)) : 0, hi = all.length ? Math.max(...all.map(f)) : 1;
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const sx = (v: number) => PAD.l + ((v - x0) / (x1 - x0)) * plotW;
    const sy = (v: number) => top + plotH - ((f(v) - lo) / (hi - lo)) * plotH;
    parts.push(`<rect x="${PAD.l}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
    for (let i = 0; i <= 4; i++) {
      const fv = lo + ((hi - lo) * i) / 4, y = top + plotH - (plotH * i) / 4;
      const label = log ? (10 ** fv).toPrecision(3) : fv.toPrecision(3);
      parts.push(`<line x1="${PAD.l}" x2="${PAD.l + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`,
        `<text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${label}</text>`);
    }
    parts.push(`<text x="${PAD.l}" y="${top + plotH + 26}">step ${x0}</text>`,
      `<text x="${PAD.l + plotW}" y="${top + plotH + 26}" text-anchor="end">step ${x1}</text>`);
    series.forEach((s, i) => {
      const pts = s.ys.map((y, j) => (Number.isFinite(y) ? `${sx(steps[j]).toFixed(1)},${sy(y).toFixed(1)}` : '')).filter(Boolean);
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`,
        `<rect x="${W - PAD.r + 12}" y="${top + 8 + i * 18}" width="12" height="3" fill="${s.color}"/>`,
        `<text x="${W - PAD.r + 30}" y="${top + 13 + i * 18}">${s.label}${log ? ' (log)' : ''}</text>`);
    });
    if (!series.length)
      parts.push(`<text x="${PAD.l + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" fill="#888">${panel ? 'GAN phase not reached yet' : 'no steps yet'}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
