/**
 * The training run loop (Node): drives the Trainer over a batch source, writes the run folder
 * (checkpoints, grids, loss log and plot, summary), and survives what a long run meets:
 *   - a NaN/Inf loss: nothing is saved; the trainer goes back to the last good checkpoint,
 *     halves the learning rate, says so, and goes on;
 *   - a lost GPU device: a new device is acquired and the run resumes from the last checkpoint;
 *   - a GPU error in a batch (validation, internal): back to the last checkpoint, up to 3 times;
 *   - an abort (Ctrl-C): the current step finishes, a checkpoint is written, and the loop returns.
 * `--resume` continues exactly: weights, Adam moments, step, learning-rate scale and the data
 * RNG all come back, so k + (N − k) steps across a resume equal N steps in one run.
 */
import * as E from '../../engine/index.js';
import type { SrganConfig } from '../config.js';
import type { Vgg19Features } from '../models/vgg19.js';
import { NonFiniteLossError, Trainer, type HrBatch, type StepLog, type TrainerSnapshot } from './trainer.js';
import { RunFolder } from './run-folder.js';
import { renderSampleGrid } from './sample-grid.js';
import { lossPlotSvg } from './loss-plot.js';
import { totalSteps } from './schedule.js';

/** Where batches come from; its state is saved with each checkpoint for an exact resume. */
export interface BatchSource<S = unknown> {
  next(): Promise<HrBatch>;
  /** The state after the last batch handed out. */
  readonly state: S;
  restore(state: S): void;
}

export interface RunOptions {
  config: SrganConfig;
  data: BatchSource;
  out: string;
  resume?: boolean;
  /** Stop after this global step even if the schedule goes on (default: the schedule's end). */
  untilStep?: number;
  checkpointEvery?: number;
  sampleEvery?: number;
  /** Fixed held-out HR crops for the sample grids ([N, 3, crop, crop] in [0, 1]). */
  gridImages?: HrBatch;
  /** Builds the VGG feature extractor on the current device (again after a device loss). */
  makeVgg?: () => Promise<Vgg19Features | undefined>;
  signal?: AbortSignal;
  onStep?: (log: StepLog, trainer: Trainer) => void | Promise<void>;
  log?: (msg: string) => void;
}

export interface RunResult {
  trainer: Trainer;
  logs: StepLog[];
  folder: RunFolder;
  started: Date;
  ended: Date;
  stepsRun: number;
  recoveries: { nan: number; deviceLost: number; gpuError: number };
  stoppedEarly: boolean;
}

export async function runTraining(o: RunOptions): Promise<RunResult> {
  const say = o.log ?? ((m: string) => console.log(m));
  const folder = new RunFolder(o.out);
  await folder.init(!!o.resume);
  const checkpointEvery = o.checkpointEvery ?? 200, sampleEvery = o.sampleEvery ?? 200;
  const until = Math.min(o.untilStep ?? Infinity, totalSteps(o.config));
  const started = new Date();
  const recoveries = { nan: 0, deviceLost: 0, gpuError: 0 };

  let trainer = new Trainer(o.config, await o.makeVgg?.());
  let logs: StepLog[] = [];
  const resumed = o.resume ? await folder.readLatest() : undefined;
  let lastGood: TrainerSnapshot = resumed ?? (await trainer.snapshot(o.data.state));
  /** Back to a snapshot: weights, optimizer, step, the data stream, and the log up to that step. */
  const rewind = (to: TrainerSnapshot) => {
    trainer.restore(to);
    o.data.restore(to.state.data);
    logs = logs.filter((l) => l.step <= to.state.step);
    lastGood = to;
  };
  if (resumed) {
    logs = await folder.readLog();
    rewind(resumed);
    say(`resumed ${o.out} at step ${trainer.step} (phase ${trainer.phase})`);
  } else await folder.writeCheckpoint(lastGood);
  const stepsAtStart = trainer.step;

  const checkpoint = async () => {
    lastGood = await trainer.snapshot(o.data.state);
    await folder.writeCheckpoint(lastGood);
    await folder.writeLog(logs);
    await folder.writePlot(lossPlotSvg(logs, `${o.config.preset} — step ${trainer.step}`));
  };
  const sample = async () => {
    if (o.gridImages) await folder.writeGrid(trainer.step, await renderSampleGrid(trainer, o.gridImages));
  };
  if (!resumed) await sample();

  while (trainer.step < until && !o.signal?.aborted) {
    try {
      const log = await trainer.trainStep(await o.data.next());
      logs.push(log);
      await o.onStep?.(log, trainer);
      if (trainer.step % sampleEvery === 0) await sample();
      if (trainer.step % checkpointEvery === 0) await checkpoint();
    } catch (err) {
      if (err instanceof NonFiniteLossError) {
        recoveries.nan++;
        const scale = trainer.lrScale / 2;
        rewind(lastGood);
        trainer.lrScale = scale;
        // The data stream goes on past the bad batch: skip as many batches as were consumed.
        for (let s = lastGood.state.step; s < err.step; s++) await o.data.next();
        say(`step ${err.step}: loss is not finite; back to the checkpoint at step ${trainer.step}, learning rate ×${scale}`);
      } else if (err instanceof E.DeviceLostError) {
        recoveries.deviceLost++;
        say(`GPU device lost at step ${trainer.step + 1} (${(err as Error).message}); acquiring a new device and resuming from step ${lastGood.state.step}`);
        await E.initEngine(); // the lost engine is replaced by one on a new device
        trainer = new Trainer(o.config, await o.makeVgg?.());
        rewind(lastGood);
      } else if (err instanceof E.GpuBatchError && recoveries.gpuError < 3) {
        // A failed batch loses its work, possibly half an optimizer update: go back to the last
        // good state (a few times; a fault that repeats is a bug, not a glitch).
        recoveries.gpuError++;
        say(`step ${trainer.step + 1}: GPU error (${err.message}); back to the checkpoint at step ${lastGood.state.step}`);
        rewind(lastGood);
      } else throw err;
    }
  }
  const stoppedEarly = trainer.step < until;
  if (logs.length === 0 || lastGood.state.step !== trainer.step) await checkpoint();
  if (trainer.step % sampleEvery !== 0) await sample();
  return { trainer, logs, folder, started, ended: new Date(), stepsRun: trainer.step - stepsAtStart, recoveries, stoppedEarly };
}
