/**
 * The page's side of training: starts the worker, turns its messages into store updates (progress,
 * steps/s and ETA, losses, grids, profile, the latest generator for the Upscale view) and keeps
 * every checkpoint in IndexedDB for a resume after a reload.
 */
import { exportedGenerator, type TrainerSnapshot } from '../srgan/train/trainer.js';
import { saveRun, type SavedRun } from './checkpoint-store.js';
import { store } from './state.js';
import type { FromWorker, StartMessage } from './train-protocol.js';

/** Steps/s over the last RATE_WINDOW steps: recent speed, not the run's average (phase 2 is slower). */
const RATE_WINDOW = 10;

export class TrainClient {
  private worker?: Worker;
  private stamps: number[] = [];
  private dataKind: SavedRun['data'] = 'bundled';
  /** The last IndexedDB write: 'done' waits for it, so that a reload right after finds the final checkpoint. */
  private saving: Promise<void> = Promise.resolve();
  latest?: TrainerSnapshot;

  start(msg: StartMessage, dataKind: SavedRun['data'], logs = store.state.train.logs): void {
    this.worker?.terminate();
    this.dataKind = dataKind;
    this.stamps = [];
    store.updateTrain({ status: 'starting', message: 'Starting the worker and decoding images…', logs, summary: undefined,
      step: msg.resume?.state.step ?? 0, resume: undefined });
    // The worker is bundled by Vite from this URL (module worker: it imports the engine).
    const w = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'srgan-train' });
    w.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
    w.onerror = (e) => store.updateTrain({ status: 'error', message: `worker failed: ${e.message || 'could not start'}` });
    w.postMessage(msg);
    this.worker = w;
  }

  pause(): void { this.worker?.postMessage({ type: 'pause' }); }
  resume(): void { this.worker?.postMessage({ type: 'resume' }); store.updateTrain({ status: 'running' }); }
  stop(): void { this.worker?.postMessage({ type: 'stop' }); store.updateTrain({ status: 'stopping', message: 'Stopping after this step…' }); }

  private onMessage(m: FromWorker): void {
    const t = store.state.train;
    switch (m.type) {
      case 'ready':
        store.updateTrain({ message: `Worker device: ${m.adapter}` });
        break;
      case 'data':
        store.updateTrain({ status: 'running', dataUsed: m.used, skipped: m.skipped, message: `Training on ${m.used} images` });
        break;
      case 'step': {
        this.stamps.push(performance.now());
        if (this.stamps.length > RATE_WINDOW + 1) this.stamps.shift();
        const n = this.stamps.length - 1;
        const rate = n > 0 ? (1000 * n) / (this.stamps[n] - this.stamps[0]) : 0;
        store.updateTrain({
          step: m.log.step, total: m.total, logs: [...t.logs.filter((l) => l.step < m.log.step), m.log],
          stepsPerSec: rate, etaSec: rate > 0 ? (m.total - m.log.step) / rate : 0,
        });
        break;
      }
      case 'grid':
        store.updateTrain({ grids: [...t.grids, { step: m.step, url: URL.createObjectURL(m.png) }] });
        break;
      case 'checkpoint':
        this.latest = m.snapshot;
        store.update({ trainedGenerator: { bytes: exportedGenerator(m.snapshot), step: m.snapshot.state.step } });
        store.updateTrain({ savedStep: m.snapshot.state.step });
        this.saving = saveRun({ snapshot: m.snapshot, logs: store.state.train.logs, total: t.total, data: this.dataKind, savedAt: Date.now() })
          .catch((e: Error) => store.updateTrain({ message: `could not save the checkpoint in IndexedDB: ${e.message}` }));
        break;
      case 'profile':
        store.update({ profile: { source: `training worker, the profiled steps up to step ${m.step}`, rows: m.rows, events: m.events } });
        break;
      case 'paused':
        store.updateTrain({ status: 'paused', message: `Paused at step ${m.step}` });
        break;
      case 'resumed':
        store.updateTrain({ status: 'running', message: `Resumed at step ${m.step}` });
        break;
      case 'note':
        store.updateTrain({ message: m.message });
        break;
      case 'done':
        void this.saving.then(() => store.updateTrain({ status: 'done', summary: m.summary,
          message: m.stopped ? `Stopped at step ${m.step}` : `Finished: ${m.step} steps` }));
        this.worker?.terminate();
        this.worker = undefined;
        break;
      case 'error':
        store.updateTrain({ status: 'error', message: m.message });
        this.worker?.terminate();
        this.worker = undefined;
        break;
    }
  }
}

export const trainClient = new TrainClient();
