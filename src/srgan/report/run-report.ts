/**
 * What a user sees of a run while it trains, written through a small file interface so that the
 * CLI's run folder and the app's worker produce the same files:
 *   samples/grid-step-NNNNNN.png   whole held-out images at 1:1 (eval-grid.ts), every sampleEvery steps
 *   samples/contact-sheet.png      one face over the steps (contact-sheet.ts), with its frames in
 *                                  samples/contact/ and their list in samples/contact-sheet.json
 *   metrics.csv, metrics.png       held-out PSNR-Y / SSIM-Y / sharpness every evalEvery steps
 *                                  (metrics-log.ts, plots.ts)
 *   samples/start-model/N.png      the starting model's outputs (computed once, kept for a resume)
 * Bicubic and the starting model are measured once; each report step runs the model once over
 * the set and uses its outputs for the grid, the contact sheet and the metrics alike.
 */
import type * as E from '../../engine/index.js';
import type { SrganConfig } from '../config.js';
import type { MetricSet } from '../metrics.js';
import { renderContactSheet, pickFrameSteps, MAX_FRAMES, type ContactFrame } from './contact-sheet.js';
import { renderEvalGrid } from './eval-grid.js';
import { bicubicMetrics, evaluateSet, upscalerOf, type EvalSet, type Upscale } from './eval-set.js';
import { MetricsLog } from './metrics-log.js';
import { metricsPlotSvg } from './plots.js';
import { rgbFromHost, type RgbImage } from './raster.js';
import { planStep, type Phase } from '../train/schedule.js';

/** The run's files as the report needs them (Node: the run folder; the app: IndexedDB or messages). */
export interface ReportFiles {
  writePng(name: string, image: RgbImage): Promise<void>;
  /** undefined when there is no such file (a fresh run, or a store that keeps no images). */
  readPng(name: string): Promise<RgbImage | undefined>;
  writeText(name: string, text: string): Promise<void>;
  readText(name: string): Promise<string | undefined>;
  /** A plot as SVG; Node stores it as a PNG under `name` (the app draws its plots from the rows). */
  writePlot(name: string, svg: string): Promise<void>;
}

const pad = (step: number) => String(step).padStart(6, '0');
export const REPORT_FILES = {
  grid: (step: number) => `samples/grid-step-${pad(step)}.png`,
  contactSheet: 'samples/contact-sheet.png',
  contactFrame: (step: number) => `samples/contact/step-${pad(step)}.png`,
  contactIndex: 'samples/contact-sheet.json',
  metricsCsv: 'metrics.csv',
  metricsPlot: 'metrics.png',
  startOutput: (i: number) => `samples/start-model/${i}.png`,
} as const;

/** What the report needs of a trainer: its step, its schedule and its inference generator. */
export interface ReportedModel {
  readonly step: number;
  readonly config: SrganConfig;
  enhance(lr: E.Tensor): E.Tensor;
}

export interface RunReportOptions {
  set: EvalSet;
  files: ReportFiles;
  sampleEvery: number;
  /** Steps between metrics rows (default sampleEvery). */
  evalEvery?: number;
  /** The run's step when this session starts: rows and frames at or after it are dropped (0 on a fresh run). */
  startStep: number;
  /** The model a fresh run started from (--init-from); on a resume its saved outputs are read back. */
  startModel?: Upscale;
  title?: string;
  maxFrames?: number;
}

/** The phase the model at `step` was last trained in (step 0: the phase about to start). */
export const phaseOfStep = (config: SrganConfig, step: number): Phase => planStep(config, Math.max(0, step - 1)).phase;

export class RunReport {
  private lastGrid = -1;
  private lastEval = -1;
  private readonly frames = new Map<number, RgbImage>();

  private constructor(
    private readonly o: RunReportOptions,
    readonly log: MetricsLog,
    private frameSteps: number[],
    private readonly bicubic: MetricSet,
    private readonly start?: { outputs: RgbImage[]; metrics: MetricSet },
  ) {}

  static async create(o: RunReportOptions): Promise<RunReport> {
    const { files, set } = o;
    const log = MetricsLog.parse(await files.readText(REPORT_FILES.metricsCsv), o.startStep);
    const index = await files.readText(REPORT_FILES.contactIndex);
    const frameSteps = ((index ? JSON.parse(index).steps : []) as number[]).filter((s) => s < o.startStep);
    let start: { outputs: RgbImage[]; metrics: MetricSet } | undefined;
    if (o.startModel && o.startStep === 0) {
      const r = await evaluateSet(set, o.startModel);
      start = { outputs: r.outputs.map(rgbFromHost), metrics: r.metrics };
      for (const [i, img] of start.outputs.entries()) await files.writePng(REPORT_FILES.startOutput(i), img);
    } else {
      const metrics = log.rows.find((r) => r.start)?.start;
      const outputs = metrics && (await Promise.all(set.images.map((_, i) => files.readPng(REPORT_FILES.startOutput(i)))));
      if (metrics && outputs?.every(Boolean)) start = { outputs: outputs as RgbImage[], metrics };
    }
    return new RunReport(o, log, frameSteps, bicubicMetrics(set), start);
  }

  /** Whether the grid and the metrics are due at this step (or `force`d: the first and last step). */
  due(step: number, force = false): { grid: boolean; metrics: boolean } {
    const evalEvery = this.o.evalEvery ?? this.o.sampleEvery;
    return {
      grid: step !== this.lastGrid && (force || step % this.o.sampleEvery === 0),
      metrics: step !== this.lastEval && (force || step % evalEvery === 0),
    };
  }

  /** Run the model over the set and write what is due: grid, contact sheet, metrics row and plot. */
  async atStep(model: ReportedModel, force = false): Promise<void> {
    const step = model.step,
      due = this.due(step, force);
    if (!due.grid && !due.metrics) return;
    const { set, files } = this.o;
    const phase = phaseOfStep(model.config, step);
    const { outputs, metrics } = await evaluateSet(set, upscalerOf(model, set.scale));
    const shown = outputs.map(rgbFromHost);
    if (due.grid) {
      this.lastGrid = step;
      const rows = set.images.map((im, i) => ({
        lr: rgbFromHost(im.lr),
        bicubic: rgbFromHost(im.bicubic),
        model: shown[i],
        hr: rgbFromHost(im.hr),
        ...(this.start ? { start: this.start.outputs[i] } : {}),
      }));
      await files.writePng(REPORT_FILES.grid(step), renderEvalGrid(rows, { step, phase, scale: set.scale }).image);
      await this.writeContactSheet(step, shown[0]);
    }
    if (due.metrics) {
      this.lastEval = step;
      this.log.add({ step, phase, model: metrics, bicubic: this.bicubic, ...(this.start ? { start: this.start.metrics } : {}) });
      await files.writeText(REPORT_FILES.metricsCsv, this.log.csv());
      await files.writePlot(
        REPORT_FILES.metricsPlot,
        metricsPlotSvg(this.log.rows, `${this.o.title ?? 'run'}: held-out metrics, step ${step}`, { ganStart: model.config.phase1Steps }),
      );
    }
  }

  private async writeContactSheet(step: number, frame: RgbImage): Promise<void> {
    const { files, set } = this.o;
    this.frames.set(step, frame);
    await files.writePng(REPORT_FILES.contactFrame(step), frame);
    this.frameSteps = [...new Set([...this.frameSteps, step])].sort((a, b) => a - b);
    await files.writeText(REPORT_FILES.contactIndex, JSON.stringify({ image: set.images[0].name, steps: this.frameSteps }));
    const max = this.o.maxFrames ?? MAX_FRAMES;
    const picked: ContactFrame[] = [];
    for (const s of pickFrameSteps(this.frameSteps, max)) {
      const image = this.frames.get(s) ?? (await files.readPng(REPORT_FILES.contactFrame(s)));
      if (image) picked.push({ step: s, image });
    }
    const first = set.images[0];
    await files.writePng(
      REPORT_FILES.contactSheet,
      renderContactSheet(picked, { lr: rgbFromHost(first.lr), hr: rgbFromHost(first.hr), scale: set.scale }, max),
    );
  }
}
