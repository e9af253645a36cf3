/**
 * One training session, the same for `srgan train` (a run folder) and the app's worker (IndexedDB):
 *   1. open the run: a new one (refused where a checkpoint exists), a resume of its latest
 *      checkpoint (weights, Adam moments, step, learning-rate scale, data RNG: exact), or a new
 *      run whose generator starts from a file (`initGenerator`, with block growth);
 *   2. build the trainer and its VGG (again after a device loss);
 *   3. write the first checkpoint and report (a new run), then run the shared loop (loop.ts: NaN,
 *      GPU-error and device-loss recovery, abort) with a checkpoint every `checkpointEvery` steps
 *      and a report every `sampleEvery` steps;
 *   4. evaluate on the held-out images (when asked) and write the summary.
 * Everything goes to a `RunStore` (run-store.ts), so both front ends get the same files. The front
 * ends only adapt: options in, progress out.
 */
import { runGenerator } from '../serve/inference.js';
import * as E from '../../engine/index.js';
import type { SrganConfig } from '../config.js';
import { initGeneratorFrom } from '../store/checkpoint.js';
import type { EvalReport } from '../metrics.js';
import { evaluateOnImages } from '../evaluate.js';
import type { HostImage } from '../image/types.js';
import { toRgbPlanes } from '../image/types.js';
import { Vgg19Features } from '../models/vgg19.js';
import { Trainer, type HrBatch, type StepLog, type TrainerSnapshot } from './trainer.js';
import { trainLoop, type BatchSource, type LoopResult } from './loop.js';
import { RunFiles, type RunStore } from '../store/run-store.js';
import { centreCrops, renderSampleGrid } from '../report/sample-grid.js';
import { lossPlotSvg } from '../report/plots.js';
import { RunReport } from '../report/run-report.js';
import { reportFilesIn } from '../report/report-files.js';
import { upscalerOf, type EvalSet } from '../report/eval-set.js';
import { totalSteps } from './schedule.js';
import { summaryMarkdown, type RunSummary } from '../report/summary.js';
import { ConfigError, ModelFileError } from '../errors.js';

export type { BatchSource } from './loop.js';

/** Held-out images shown in every sample grid (their centre crops). */
export const GRID_IMAGES = 4;

/** What a report step sees: the one place where per-sample outputs (grids, plots, metrics) are written. */
export interface ReportContext {
  trainer: Trainer;
  files: RunFiles;
  step: number;
  logs: readonly StepLog[];
  /** The sample grid just written (PNG), when the run has held-out images. */
  grid?: { name: string; png: Uint8Array };
}

export interface SessionOptions {
  store: RunStore;
  /** A new run's config. A resumed run takes its checkpoint's, passed through `resumeConfig`. */
  config: SrganConfig;
  /** Continue the store's latest checkpoint (an error when there is none). */
  resume?: boolean;
  /** The config a resumed run goes on with (e.g. a longer schedule), from its saved one. */
  resumeConfig?: (saved: SrganConfig) => SrganConfig;
  /** The batch source for the run's config (crop, batch and seed come from it). */
  openData: (config: SrganConfig) => BatchSource | Promise<BatchSource>;
  /** A new run's starting generator (a generator file's bytes; fewer blocks grow). Ignored on resume. */
  initGenerator?: { bytes: Uint8Array; source: string };
  /**
   * A new run whose discriminator starts from a file (a run's checkpoints/step-N/discriminator.safetensors,
   * or a shipped one) instead of from scratch: a GAN phase whose D already tells sharp from soft,
   * so the generator gets adversarial gradients from its first steps. Same D config required.
   */
  initDiscriminator?: { bytes: Uint8Array; source: string };
  /** VGG19 weights (safetensors) for the 'vgg' content loss. */
  vggWeights?: Uint8Array;
  /** Held-out images: their centre crops make the sample grids; with `evaluate`, the final PSNR/SSIM. */
  heldout?: readonly HostImage[];
  evaluate?: boolean;
  /**
   * Whole held-out images for the run report (run-report.ts): grids at 1:1 every `sampleEvery`
   * steps, the contact sheet, and metrics.csv / metrics.png every `evalEvery` steps.
   */
  reportSet?: EvalSet;
  /** Steps between metrics rows (default `sampleEvery`). */
  evalEvery?: number;
  /** Stop after this global step even if the schedule goes on (default: the schedule's end). */
  untilStep?: number;
  checkpointEvery?: number;
  sampleEvery?: number;
  signal?: AbortSignal;
  /** The run is open: its config (after a resume), its trainer, and the adapter's name. */
  onReady?: (info: { config: SrganConfig; trainer: Trainer; adapter: string; resumedAt?: number }) => void | Promise<void>;
  onStep?: (log: StepLog, trainer: Trainer) => void | Promise<void>;
  beforeStep?: () => Promise<void>;
  /** After every report step's own files are written (adapters show them). */
  onReport?: (r: ReportContext) => void | Promise<void>;
  /** After a checkpoint is in the store. */
  onCheckpoint?: (snapshot: TrainerSnapshot) => void | Promise<void>;
  /** After a device loss, before the new trainer is made (the worker re-enables its profiler). */
  onNewDevice?: () => void;
  log?: (msg: string) => void;
}

export interface SessionResult {
  trainer: Trainer;
  config: SrganConfig;
  logs: StepLog[];
  files: RunFiles;
  started: Date;
  ended: Date;
  stepsRun: number;
  recoveries: LoopResult['recoveries'];
  stoppedEarly: boolean;
  summary: RunSummary;
  summaryMarkdown: string;
  /** Free the trainer and the VGG feature extractor. */
  dispose(): void;
}

/**
 * The VGG feature extractor a config needs (undefined for pixel MSE). The one place where "the VGG
 * content loss needs weights" is checked, before any training work.
 */
export function vggFor(config: SrganConfig, weights?: Uint8Array): Vgg19Features | undefined {
  if (config.content !== 'vgg') return undefined;
  if (!weights)
    throw new ConfigError('the VGG19 content loss needs VGG19 weights (a .safetensors file; see the training guide), or use content "mse"');
  const vgg = new Vgg19Features(config.vggLayer);
  try {
    vgg.loadWeights(weights);
  } catch (e) {
    vgg.dispose();
    throw e;
  }
  return vgg;
}

/** Run a training session to its end (or an abort) and write its summary. The caller disposes `result.trainer`. */
export async function runSession(o: SessionOptions): Promise<SessionResult> {
  const say = o.log ?? ((m: string) => console.log(m));
  const files = new RunFiles(o.store);
  const latest = o.resume ? await files.readLatest() : undefined;
  if (o.resume && !latest) throw new ConfigError(`${o.store.label} holds no checkpoint to resume`);
  if (!o.resume && (await files.hasCheckpoint()))
    throw new ConfigError(`${o.store.label} already holds a checkpoint: resume it, or start the new run elsewhere`);
  const config = latest ? (o.resumeConfig ?? ((c) => c))(latest.state.config) : o.config;
  const total = totalSteps(config);
  if (config.content === 'vgg' && !o.vggWeights) vggFor(config); // says what is missing before any work
  const data = await o.openData(config);
  const gridImages: HrBatch | undefined = o.heldout?.length
    ? centreCrops(
        o.heldout.map((im) => ({ width: im.width, height: im.height, rgb: toRgbPlanes(im) })),
        config.hrCrop,
        GRID_IMAGES,
      )
    : undefined;

  let vgg: Vgg19Features | undefined;
  /** A trainer on the current device, with its VGG loaded there too (again after a device loss). */
  const makeTrainer = () => {
    vgg?.dispose();
    vgg = vggFor(config, o.vggWeights);
    return new Trainer(config, vgg);
  };
  const trainer = makeTrainer();
  try {
    const started = new Date();
    let logs: StepLog[] = [];
    let lastGood: TrainerSnapshot;
    if (latest) {
      trainer.restore(latest);
      lastGood = latest;
      logs = (await files.readLog()).filter((l) => l.step <= latest.state.step);
      try {
        data.restore(latest.state.data);
      } catch (e) {
        // The images differ from the run's (the app's user chose others): go on with a fresh order.
        say(`the data order could not be restored (${(e as Error).message}); continuing with a fresh order`);
        lastGood = await trainer.snapshot(data.state);
      }
      say(`resumed ${o.store.label} at step ${trainer.step} (phase ${trainer.phase})`);
    } else {
      if (o.initGenerator) {
        const from = initGeneratorFrom(trainer.generator, o.initGenerator.bytes, o.initGenerator.source);
        trainer.resetAverage(); // the average starts from the loaded weights, not the random ones
        say(
          `initialised the generator from ${o.initGenerator.source} (${from.generator.blocks} of ${config.generator.blocks} blocks; the rest start as identity maps)`,
        );
      }
      if (o.initDiscriminator) {
        loadDiscriminatorFile(trainer.discriminator, o.initDiscriminator, config);
        say(`initialised the discriminator from ${o.initDiscriminator.source}`);
      }
      lastGood = await trainer.snapshot(data.state);
    }
    await o.onReady?.({ config, trainer, adapter: E.describeAdapter(E.engine().adapter), resumedAt: latest?.state.step });

    /**
     * A failed write (a full disk, a refused IndexedDB quota) ends the run with one message; the
     * stores write a checkpoint all or nothing, so the last saved one is still there to continue.
     */
    let savedStep = latest?.state.step;
    const saving = async <T>(what: string, step: number, write: () => Promise<T>): Promise<T> => {
      try {
        return await write();
      } catch (e) {
        throw new Error(
          `could not save ${what} at step ${step}: ${(e as Error).message}. ` +
            (savedStep === undefined ? 'Nothing of this run was saved.' : `The checkpoint at step ${savedStep} of ${o.store.label} is unchanged.`),
          { cause: e },
        );
      }
    };
    const checkpoint = async (snapshot: TrainerSnapshot, stepLogs: readonly StepLog[]) => {
      await saving('the checkpoint', snapshot.state.step, () => files.writeCheckpoint(snapshot, stepLogs, total));
      savedStep = snapshot.state.step;
      await o.onCheckpoint?.(snapshot);
    };
    /** The one report call site: every `sampleEvery` steps, at the start of a new run, and at the end. */
    const runReport =
      o.reportSet &&
      (await RunReport.create({
        set: o.reportSet,
        files: reportFilesIn(o.store),
        sampleEvery: o.sampleEvery ?? 200,
        evalEvery: o.evalEvery,
        startStep: trainer.step,
        title: config.preset,
        // A new run from a generator file shows that file's outputs and metrics beside its own (the trainer holds them now).
        startModel:
          o.initGenerator && !latest
            ? upscalerOf({ enhance: (lr) => runGenerator(trainer.inferenceGenerator, lr) }, config.generator.scale)
            : undefined,
      }));
    const report = async (t: Trainer, stepLogs: readonly StepLog[]) => {
      const grid = gridImages
        ? await saving('the sample grid', t.step, async () => files.writeGrid(t.step, await renderSampleGrid(t, gridImages)))
        : undefined;
      if (stepLogs.length)
        await saving('the loss plot', t.step, () =>
          files.writePlot(lossPlotSvg(stepLogs, `${config.preset} — step ${t.step}`, { ganStart: config.phase1Steps })),
        );
      // Off the sample grid only at the end of a run: then the grid and the metrics are forced.
      await saving('the run report', t.step, async () => runReport?.atStep(t, t.step % (o.sampleEvery ?? 200) !== 0));
      await o.onReport?.({ trainer: t, files, step: t.step, logs: stepLogs, grid });
    };
    if (!latest) {
      await checkpoint(lastGood, logs);
      await report(trainer, logs);
    }

    const stepsAtStart = trainer.step;
    const loop = await trainLoop({
      trainer,
      data,
      lastGood,
      logs,
      until: Math.min(o.untilStep ?? Infinity, total),
      checkpointEvery: o.checkpointEvery ?? 200,
      sampleEvery: o.sampleEvery ?? 200,
      signal: o.signal,
      beforeStep: o.beforeStep,
      onStep: async (log, t) => {
        await o.onStep?.(log, t);
        // A metrics row may be due between sample steps (--eval-every); atStep does nothing when none is.
        if (t.step % (o.sampleEvery ?? 200)) await saving('the run report', t.step, async () => runReport?.atStep(t));
      },
      onSample: (t, stepLogs) => report(t, stepLogs),
      onCheckpoint: checkpoint,
      remakeTrainer: async () => {
        o.onNewDevice?.();
        return makeTrainer();
      },
      log: say,
    });
    const ended = new Date();
    const seconds = (ended.getTime() - started.getTime()) / 1000;
    const stepsRun = loop.trainer.step - stepsAtStart;

    let evalResult: EvalReport | undefined;
    if (o.evaluate && o.heldout?.length) {
      say('evaluating on the held-out images…');
      evalResult = await evaluateOnImages(o.heldout, loop.trainer.inferenceGenerator, config);
    }
    const summary: RunSummary = {
      adapter: E.describeAdapter(E.engine().adapter),
      preset: config.preset,
      config,
      steps: loop.trainer.step,
      stepsThisSession: stepsRun,
      started: started.toISOString(),
      ended: ended.toISOString(),
      seconds,
      stepsPerSecond: stepsRun / Math.max(1e-9, seconds),
      images: await files.countSamples(),
      recoveries: loop.recoveries,
      eval: evalResult,
      finalLosses: loop.logs.length ? { ...loop.logs[loop.logs.length - 1] } : undefined,
    };
    const markdown = summaryMarkdown(summary);
    await saving('the run summary', loop.trainer.step, () => files.writeSummary(markdown, summary));
    return {
      trainer: loop.trainer,
      config,
      logs: loop.logs,
      files,
      started,
      ended,
      stepsRun,
      recoveries: loop.recoveries,
      stoppedEarly: loop.stoppedEarly,
      summary,
      summaryMarkdown: markdown,
      dispose: () => {
        loop.trainer.dispose();
        vgg?.dispose();
      },
    };
  } catch (e) {
    trainer.dispose();
    vgg?.dispose();
    throw e;
  }
}

/**
 * Load a discriminator file into the run's D, refusing a file of another shape, or one whose saved
 * config describes another D (blur vs stride downsampling, BN or not: same tensors, other network).
 */
function loadDiscriminatorFile(d: E.nn.Module, file: { bytes: Uint8Array; source: string }, config: SrganConfig): void {
  const want = config.discriminator;
  const describe = (d: SrganConfig['discriminator']) =>
    `${d.channels.join(',')} channels, ${d.head} head, ${d.batchNorm === false ? 'no' : 'batch'} norm, ${d.downsample ?? 'stride'} downsampling`;
  let saved: SrganConfig['discriminator'] | undefined;
  try {
    const raw = E.decodeSafetensors(file.bytes).metadata.srgan_config;
    saved = raw ? (JSON.parse(raw) as SrganConfig).discriminator : undefined;
  } catch (e) {
    throw new ModelFileError(`${file.source}: not a discriminator file: ${(e as Error).message}`);
  }
  const norm = (d: SrganConfig['discriminator']) => JSON.stringify({ ...d, batchNorm: d.batchNorm !== false, downsample: d.downsample ?? 'stride' });
  if (saved && norm(saved) !== norm(want))
    throw new ModelFileError(`${file.source}: a discriminator of another network (${describe(saved)}) than this run's (${describe(want)})`);
  try {
    E.loadCheckpoint(d, file.bytes);
  } catch (e) {
    throw new ModelFileError(`${file.source}: not a discriminator of this run's shape (${describe(want)}): ${(e as Error).message}`);
  }
}
