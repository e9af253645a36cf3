/**
 * A training run in a run folder (Node): the shared loop (loop.ts) with checkpoints, sample grids,
 * the loss log and its plot written to the folder, and a new device after a device loss.
 * `--resume` continues exactly: weights, Adam moments, step, learning-rate scale and the data
 * RNG all come back, so k + (N − k) steps across a resume equal N steps in one run.
 */
import type { SrganConfig } from '../config.js';
import { initGeneratorFrom } from '../checkpoint.js';
import type { Vgg19Features } from '../models/vgg19.js';
import { Trainer, type HrBatch, type StepLog, type TrainerSnapshot } from './trainer.js';
import { trainLoop, type BatchSource, type LoopResult } from './loop.js';
import { RunFolder } from './run-folder.js';
import { renderSampleGrid } from './sample-grid.js';
import { lossPlotSvg } from './loss-plot.js';
import { totalSteps } from './schedule.js';

export type { BatchSource } from './loop.js';

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
  /** A new run's starting generator (a file's bytes; see initGeneratorFrom), ignored on resume. */
  initGenerator?: { bytes: Uint8Array; source: string };
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
  recoveries: LoopResult['recoveries'];
  stoppedEarly: boolean;
}

export async function runTraining(o: RunOptions): Promise<RunResult> {
  const say = o.log ?? ((m: string) => console.log(m));
  const folder = new RunFolder(o.out);
  await folder.init(!!o.resume);
  const started = new Date();
  const makeTrainer = async () => new Trainer(o.config, await o.makeVgg?.());

  const trainer = await makeTrainer();
  const resumed = o.resume ? await folder.readLatest() : undefined;
  let logs: StepLog[] = [];
  let lastGood: TrainerSnapshot;
  if (resumed) {
    trainer.restore(resumed);
    o.data.restore(resumed.state.data);
    logs = (await folder.readLog()).filter((l) => l.step <= resumed.state.step);
    lastGood = resumed;
    say(`resumed ${o.out} at step ${trainer.step} (phase ${trainer.phase})`);
  } else {
    if (o.initGenerator) {
      const from = initGeneratorFrom(trainer.generator, o.initGenerator.bytes, o.initGenerator.source);
      trainer.resetAverage();
      say(`initialised the generator from ${o.initGenerator.source} (${from.generator.blocks} of ${o.config.generator.blocks} blocks; the rest start as identity maps)`);
    }
    lastGood = await trainer.snapshot(o.data.state);
    await folder.writeCheckpoint(lastGood);
  }
  const stepsAtStart = trainer.step;
  const sample = async (t: Trainer) => {
    if (o.gridImages) await folder.writeGrid(t.step, await renderSampleGrid(t, o.gridImages));
  };
  if (!resumed) await sample(trainer);

  const loop = await trainLoop({
    trainer, data: o.data, lastGood, logs,
    until: Math.min(o.untilStep ?? Infinity, totalSteps(o.config)),
    checkpointEvery: o.checkpointEvery ?? 200, sampleEvery: o.sampleEvery ?? 200, signal: o.signal,
    onStep: o.onStep, onSample: sample, remakeTrainer: makeTrainer, log: say,
    onCheckpoint: async (snapshot, stepLogs) => {
      await folder.writeCheckpoint(snapshot);
      await folder.writeLog(stepLogs);
      await folder.writePlot(lossPlotSvg(stepLogs, `${o.config.preset} — step ${snapshot.state.step}`));
    },
  });
  return {
    trainer: loop.trainer, logs: loop.logs, folder, started, ended: new Date(),
    stepsRun: loop.trainer.step - stepsAtStart, recoveries: loop.recoveries, stoppedEarly: loop.stoppedEarly,
  };
}
