/** The metrics log (metrics.csv) and the SVG plots shared by the CLI and the app (host only, no GPU). */
import { describe, expect, it } from 'vitest';
import { METRICS_COLUMNS, MetricsLog, metricsCsv, parseMetricsCsv, type MetricsRow } from '../../src/srgan/report/metrics-log.js';
import {
  emaSmooth,
  formatTick,
  formatTicks,
  logTicks,
  lossPlotSvg,
  metricsPlotSvg,
  niceTicks,
  smoothingFactor,
} from '../../src/srgan/report/plots.js';
import type { StepLog } from '../../src/srgan/train/trainer.js';

const set = (p: number) => ({ psnr_y: p, ssim_y: p / 40, sharpness: p / 100 });
const row = (step: number, start = true): MetricsRow => ({
  step,
  phase: step < 200 ? 1 : 2,
  model: set(25 + step / 100),
  bicubic: set(24),
  ...(start ? { start: set(25.5) } : {}),
});

describe('metrics log', () => {
  it('writes one row per evaluation with named columns, and reads it back', () => {
    const csv = metricsCsv([row(0), row(100)]);
    const [header, first] = csv.trim().split('\n');
    expect(header.split(',')).toEqual([...METRICS_COLUMNS]);
    expect(header).toBe(
      'step,phase,model_psnr_y,model_ssim_y,model_sharpness,bicubic_psnr_y,bicubic_ssim_y,bicubic_sharpness,start_psnr_y,start_ssim_y,start_sharpness',
    );
    expect(first.split(',')).toHaveLength(METRICS_COLUMNS.length);
    expect(parseMetricsCsv(csv)).toEqual([row(0), row(100)]);
  });

  it('leaves the start columns empty for a run from scratch', () => {
    const csv = metricsCsv([row(0, false)]);
    expect(csv.trim().split('\n')[1].endsWith(',,,')).toBe(true);
    expect(parseMetricsCsv(csv)[0].start).toBeUndefined();
  });

  it('drops the rows at or after the resumed step, so a resume never duplicates a row', () => {
    const before = metricsCsv([0, 100, 200, 300].map((s) => row(s)));
    const log = MetricsLog.parse(before, 200);
    expect(log.rows.map((r) => r.step)).toEqual([0, 100]);
    log.add(row(200));
    log.add(row(200)); // the same step again replaces, never duplicates
    log.add(row(300));
    const steps = parseMetricsCsv(log.csv()).map((r) => r.step);
    expect(steps).toEqual([0, 100, 200, 300]);
    expect(MetricsLog.parse(undefined, 0).rows).toEqual([]);
  });

  it('refuses a file with other columns', () => {
    expect(() => parseMetricsCsv('step,loss\n1,2\n')).toThrow(/unexpected columns/);
    expect(() => parseMetricsCsv(`${METRICS_COLUMNS.join(',')}\n1,2,3\n`)).toThrow(/line 2: 3 cells/);
  });
});

describe('plot helpers', () => {
  it('gives round ticks inside the range', () => {
    expect(niceTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(3, 97, 5)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(0.031, 0.048, 4)).toEqual([0.035, 0.04, 0.045]);
    expect(logTicks(0.003, 0.2)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1, 0.2]);
    expect(formatTick(1500)).toBe('1500');
    expect(formatTick(250000)).toBe('250k');
    expect(formatTick(0.00002)).toBe('2e-5');
    expect(formatTick(0.0005)).toBe('0.0005');
  });

  it('smooths with a debiased EMA that follows a step and skips NaN', () => {
    const s = emaSmooth([1, 1, 1, NaN, 1], 0.9);
    expect(s[0]).toBeCloseTo(1, 12); // debiased: no pull towards 0
    expect(s[3]).toBeNaN();
    expect(s[4]).toBeCloseTo(1, 12);
    const noisy = Array.from({ length: 400 }, (_, i) => (i % 2 ? 2 : 0));
    const sm = emaSmooth(noisy, 0.95);
    expect(Math.abs(sm[399] - 1)).toBeLessThan(0.06);
    expect(smoothingFactor(10)).toBe(0);
    expect(smoothingFactor(100)).toBe(0.9);
    expect(smoothingFactor(100000)).toBe(0.98);
  });
});

const log = (step: number, phase: 1 | 2): StepLog => ({
  step,
  phase,
  g_content: 0.01 + 0.01 * Math.exp(-step / 100) + (step % 3) * 1e-3,
  g_adv: phase === 2 ? 0.7 : NaN,
  g_fm: NaN,
  g_phase: NaN,
  g_flat: NaN,
  d_real: phase === 2 ? 0.6 : NaN,
  d_fake: phase === 2 ? 0.8 : NaN,
  lr: 1e-4,
  ms: 100,
});

describe('axis labels', () => {
  it('never repeat: more digits where 4 significant ones would print two ticks alike', () => {
    expect(formatTicks([0, 200, 400])).toEqual(['0', '200', '400']);
    expect(formatTicks([25.122, 25.124, 25.126])).toEqual(['25.122', '25.124', '25.126']);
    expect(formatTicks([0.81231, 0.81233])).toEqual(['0.81231', '0.81233']);
  });

  it('a metrics chart whose values barely move (a short run) labels every tick differently, on every axis', () => {
    const flat = (step: number): MetricsRow => ({
      step,
      phase: 2,
      model: { psnr_y: 25.1234 + step * 1e-5, ssim_y: 0.81234 + step * 1e-7, sharpness: 0.14 + step * 1e-6 },
      bicubic: { psnr_y: 25.121, ssim_y: 0.8123, sharpness: 0.14 },
      start: { psnr_y: 25.1234, ssim_y: 0.81234, sharpness: 0.14 },
    });
    const svg = metricsPlotSvg([0, 10, 20, 30, 40, 50].map(flat), 'metrics');
    const panels = svg.split('class="series"');
    expect(panels.length).toBeGreaterThan(3);
    // Each panel's y labels, in order of appearance (a panel's ticks are written before its lines).
    const ys = [
      ...svg.matchAll(
        /<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="none"[^]*?(?=<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="none"|<\/svg>)/g,
      ),
    ].map((m) => [...m[0].matchAll(/class="ytick">([^<]+)</g)].map((t) => t[1]));
    expect(ys).toHaveLength(3);
    for (const labels of ys) {
      expect(labels.length).toBeGreaterThan(1);
      expect(new Set(labels).size, labels.join(' ')).toBe(labels.length);
    }
    const xs = [...svg.matchAll(/class="xtick">([^<]+)</g)].map((t) => t[1]);
    expect(new Set(xs).size * 3).toBe(xs.length); // the same steps under each of the 3 panels, none twice in one
  });
});

describe('loss and metrics plots', () => {
  it('has one panel, step ticks, axis titles and the EMA factor in phase 1', () => {
    const svg = lossPlotSvg(
      Array.from({ length: 300 }, (_, i) => log(i + 1, 1)),
      'tiny',
    );
    expect(svg).not.toMatch(/adversarial/);
    expect(svg).toMatch(/training step/);
    expect(svg).toMatch(/G content loss/);
    expect(svg).toMatch(/EMA, factor 0\.97/);
    expect([...svg.matchAll(/class="xtick">([^<]+)</g)].map((m) => m[1])).toEqual(['50', '100', '150', '200', '250', '300']);
    expect(svg).not.toMatch(/phase-boundary/);
    expect(svg.match(/<polyline/g)).toHaveLength(2); // raw + smoothed
  });

  it('adds the adversarial panel and marks the GAN phase only when the log holds GAN steps', () => {
    const logs = Array.from({ length: 400 }, (_, i) => log(i + 1, i < 200 ? 1 : 2));
    const svg = lossPlotSvg(logs, 'tiny');
    expect(svg).toMatch(/adversarial \/ D \(BCE\)/);
    expect(svg).toMatch(/D on real/);
    expect(svg.match(/class="phase-boundary"/g)).toHaveLength(2); // in both panels
    expect(svg.match(/<polyline/g)).toHaveLength(8);
  });

  it('plots PSNR-Y, SSIM-Y and sharpness for this run, the start model and bicubic', () => {
    const svg = metricsPlotSvg(
      [0, 100, 200, 300].map((s) => row(s)),
      'metrics',
    );
    for (const t of ['PSNR-Y (dB)', 'SSIM-Y', 'sharpness ratio', 'this run', 'start model', 'bicubic', 'original = 1']) expect(svg).toContain(t);
    expect(svg.match(/class="phase-boundary"/g)).toHaveLength(3);
    const scratch = metricsPlotSvg([row(0, false), row(100, false)], 'metrics');
    expect(scratch).not.toContain('start model');
  });
});
