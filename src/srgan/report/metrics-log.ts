/**
 * The held-out metrics over a run's steps (RUN_DIR/metrics.csv): one row per evaluation, the mean
 * PSNR-Y, SSIM-Y and sharpness ratio (src/srgan/metrics.ts) of this run's generator, of bicubic,
 * and of the model the run started from (empty cells when it started from scratch). This is what
 * tells a user when to stop: PSNR falling while sharpness rises is the GAN trading fidelity for
 * texture; both flat is a run that has stopped learning.
 */
import type { MetricSet } from '../metrics.js';
import type { Phase } from '../train/schedule.js';
import { DataError } from '../errors.js';

export interface MetricsRow {
  step: number;
  phase: Phase;
  model: MetricSet;
  bicubic: MetricSet;
  start?: MetricSet;
}

const WHO = ['model', 'bicubic', 'start'] as const;
const WHAT = ['psnr_y', 'ssim_y', 'sharpness'] as const;
export const METRICS_COLUMNS = ['step', 'phase', ...WHO.flatMap((who) => WHAT.map((what) => `${who}_${what}`))] as const;

const cell = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(6));

export function metricsCsv(rows: readonly MetricsRow[]): string {
  const lines = rows.map((r) => [r.step, r.phase, ...WHO.flatMap((who) => WHAT.map((what) => r[who]?.[what]))].map(cell).join(','));
  return [METRICS_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/** Rows of a metrics.csv; a file with other columns is refused whole (it is not ours). */
export function parseMetricsCsv(text: string): MetricsRow[] {
  const [header, ...lines] = text.trim().split('\n');
  if (header !== METRICS_COLUMNS.join(','))
    throw new DataError(`metrics.csv: unexpected columns "${header}" (expected ${METRICS_COLUMNS.join(',')})`);
  return lines.filter(Boolean).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== METRICS_COLUMNS.length)
      throw new DataError(`metrics.csv line ${i + 2}: ${cells.length} cells, expected ${METRICS_COLUMNS.length}`);
    const num = (k: number) => (cells[k] === '' ? NaN : Number(cells[k]));
    const set = (who: number): MetricSet | undefined => {
      const [psnr_y, ssim_y, sharpness] = [0, 1, 2].map((j) => num(2 + 3 * who + j));
      return [psnr_y, ssim_y, sharpness].every(Number.isNaN) ? undefined : { psnr_y, ssim_y, sharpness };
    };
    const start = set(2);
    return { step: num(0), phase: num(1) as Phase, model: set(0)!, bicubic: set(1)!, ...(start ? { start } : {}) };
  });
}

/**
 * The log of a run: rows sorted by step, at most one per step. A resumed run drops the rows at
 * or after its checkpoint's step first (they belong to steps it will train again), as loss.csv does.
 */
export class MetricsLog {
  private byStep = new Map<number, MetricsRow>();

  constructor(rows: readonly MetricsRow[] = [], resumeStep?: number) {
    for (const r of rows) if (resumeStep === undefined || r.step < resumeStep) this.byStep.set(r.step, r);
  }

  static parse(text: string | undefined, resumeStep?: number): MetricsLog {
    return new MetricsLog(text ? parseMetricsCsv(text) : [], resumeStep);
  }

  /** Add a row, replacing one at the same step. */
  add(row: MetricsRow): void {
    this.byStep.set(row.step, row);
  }

  get rows(): MetricsRow[] {
    return [...this.byStep.values()].sort((a, b) => a.step - b.step);
  }

  csv(): string {
    return metricsCsv(this.rows);
  }
}
