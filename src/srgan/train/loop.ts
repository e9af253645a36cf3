/**
 * The training loop of a training session (session.ts), which both front ends run: the CLI's run
 * folder and the app's worker. It drives the Trainer over a batch source, hands
 * samples, checkpoints and steps to its hooks, and survives what a long run meets:
 *   - a NaN/Inf loss: nothing is saved; the trainer goes back to the last good snapshot,
 *     halves the learning rate, says so, and goes on past the bad batch;
 *   - a lost GPU device (when the caller can remake the trainer): a new device is acquired and
 *     the run goes on from the last good snapshot;
 *   - a GPU error in a batch (validation, internal): back to the last good snapshot, up to 3 times;
 *   - an abort (Ctrl-C, the app's Stop): the current step finishes, a last snapshot is taken, and
 *     the loop returns.
 * Where the snapshots go (files, IndexedDB) and how samples are shown is the hooks' business.
 */
import * as E from '../../engine/index.js';
import { NonFiniteLossError, type HrBatch, type StepLog, type Trainer, type TrainerSnapshot } from './trainer.js';

/** Where batches come from; its state is saved with each snapshot for an exact resume. */
export interface BatchSource<S = unknown> {
  next(): Promise<HrBatch>;
  /** The state after the last batch handed out. */
  readonly state: S;
  restore(state: S): void;
}

export interface LoopHooks {
  /** After every step (progress, the loss chart). */
  onStep?: (log: StepLog, trainer: Trainer) => void | Promise<void>;
  /** Every `sampleEvery` steps and at the end (sample grids, the profile), with the log so far. */
  onSample?: (trainer: Trainer, logs: readonly StepLog[]) => Promise<void>;
  /** A new last good snapshot, every `checkpointEvery` steps and at the end, with the log so far. */
  onCheckpoint?: (snapshot: TrainerSnapshot, logs: readonly StepLog[]) => Promise<void>;
  /** Awaited before every step: a paused run waits here. */
  beforeStep?: () => Promise<void>;
  /** After a device loss: a trainer on the new device (undefined: a device loss ends the run). */
  remakeTrainer?: () => Promise<Trainer>;
  log: (msg: string) => void;
}

export interface LoopOptions extends LoopHooks {
  trainer: Trainer;
  data: BatchSource;
  /** The state to go back to on a fault, until the first checkpoint of this loop. */
  lastGood: TrainerSnapshot;
  /** The log of the steps before this loop (a resumed run's), kept up to each rewind. */
  logs?: StepLog[];
  /** Stop after this global step. */
  until: number;
  checkpointEvery: number;
  sampleEvery: number;
  signal?: AbortSignal;
}

export interface LoopResult {
  trainer: Trainer;
  logs: StepLog[];
  lastGood: TrainerSnapshot;
  recoveries: { nan: number; deviceLost: number; gpuError: number; kernelFault: number };
  /** The loop returned before `until` (an abort). */
  stoppedEarly: boolean;
}

/** A fault that repeats is a bug, not a glitch: give up after this many rewinds for each kind. */
const MAX_FAULT_REWINDS = 3;
const FAULT_NAMES = { gpuError: 'GPU error', kernelFault: 'CPU kernel fault' } as const;

/** The recovery counter of a fault the loop rewinds from, or undefined for any other error. */
function rewindable(err: unknown): keyof typeof FAULT_NAMES | undefined {
  if (err instanceof E.GpuBatchError) return 'gpuError';
  if (err instanceof E.KernelFaultError) return 'kernelFault';
  return undefined;
}

export async function trainLoop(o: LoopOptions): Promise<LoopResult> {
  let trainer = o.trainer;
  let lastGood = o.lastGood;
  let logs = o.logs ?? [];
  const recoveries = { nan: 0, deviceLost: 0, gpuError: 0, kernelFault: 0 };
  /** Back to a snapshot: weights, optimizer, step, the data stream, and the log up to that step. */
  const rewind = (to: TrainerSnapshot) => {
    trainer.restore(to);
    o.data.restore(to.state.data);
    logs = logs.filter((l) => l.step <= to.state.step);
    lastGood = to;
  };
  const checkpoint = async () => {
    lastGood = await trainer.snapshot(o.data.state);
    await o.onCheckpoint?.(lastGood, logs);
  };

  while (trainer.step < o.until && !o.signal?.aborted) {
    await o.beforeStep?.();
    if (o.signal?.aborted) break;
    try {
      const log = await trainer.trainStep(await o.data.next());
      logs.push(log);
      await o.onStep?.(log, trainer);
      if (trainer.step % o.sampleEvery === 0) await o.onSample?.(trainer, logs);
      if (trainer.step % o.checkpointEvery === 0) await checkpoint();
    } catch (err) {
      const fault = rewindable(err);
      if (err instanceof NonFiniteLossError) {
        recoveries.nan++;
        const scale = trainer.lrScale / 2;
        rewind(lastGood);
        trainer.lrScale = scale;
        // The data stream goes on past the bad batch: skip as many batches as were consumed.
        for (let s = lastGood.state.step; s < err.step; s++) await o.data.next();
        o.log(`step ${err.step}: loss is not finite; back to the checkpoint at step ${trainer.step}, learning rate ×${scale}`);
      } else if (err instanceof E.DeviceLostError && o.remakeTrainer) {
        recoveries.deviceLost++;
        o.log(`GPU device lost at step ${trainer.step + 1} (${err.message}); acquiring a new device and resuming from step ${lastGood.state.step}`);
        await E.initEngine({ backend: 'webgpu' }); // the lost engine is replaced by one on a new device (only WebGPU loses one)
        trainer = await o.remakeTrainer();
        rewind(lastGood);
      } else if (fault && recoveries[fault] < MAX_FAULT_REWINDS) {
        // A failed GPU batch or a trapped CPU kernel loses its work, possibly half an optimizer
        // update: go back to the last good state.
        recoveries[fault]++;
        o.log(`step ${trainer.step + 1}: ${FAULT_NAMES[fault]} (${(err as Error).message}); back to the checkpoint at step ${lastGood.state.step}`);
        rewind(lastGood);
      } else throw err;
    }
  }
  const stoppedEarly = trainer.step < o.until;
  if (logs.length === 0 || lastGood.state.step !== trainer.step) await checkpoint();
  if (trainer.step % o.sampleEvery !== 0) await o.onSample?.(trainer, logs);
  return { trainer, logs, lastGood, recoveries, stoppedEarly };
}
