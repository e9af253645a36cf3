/**
 * The page's side of training: starts the worker on a run saved in IndexedDB (the worker writes
 * the run itself, through the training session) and turns its messages into store updates:
 * progress, steps/s and ETA, losses, grids, the profile, and each saved checkpoint's generator for
 * the Upscale view. Rate and ETA belong to the run being trained: they start empty and are cleared
 * when it stops.
 */
import { deleteRun, getRun } from '../srgan/store/run-store-browser.js';
import { refreshRuns } from './checkpoint-store.js';
import { store } from './state.js';
import type { FromWorker, StartMessage } from './train-protocol.js';

/** Steps/s over the last RATE_WINDOW steps: recent speed, not the run's average (phase 2 is slower). */
const RATE_WINDOW = 10;

export class TrainClient {
  private worker?: Worker;
  private stamps: number[] = [];
  private runName = '';

  /** Train `msg.runId`: its logs and grids on screen are the run's so far (none for a new run). */
  start(msg: StartMessage, runName: string): void {
    this.worker?.terminate();
    this.stamps = [];
    this.runName = runName;
    store.updateTrain({
      runId: msg.runId,
      runName,
      status: 'starting',
      message: 'Starting the worker and decoding images…',
      summary: undefined,
      stepsPerSec: 0,
      etaSec: 0,
      skipped: [],
      dataUsed: undefined,
      activity: 'starting the training worker',
      activitySince: performance.now(),
      total: msg.resume ? store.state.train.total : msg.config.phase1Steps + msg.config.phase2Steps,
    });
    // The worker is bundled by Vite from this URL (module worker: it imports the engine).
    const w = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'srgan-train' });
    w.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
    w.onerror = (e) => this.end({ status: 'error', message: `worker failed: ${e.message || 'could not start'}` });
    w.postMessage(msg);
    this.worker = w;
  }

  pause(): void {
    this.worker?.postMessage({ type: 'pause' });
  }
  resume(): void {
    this.worker?.postMessage({ type: 'resume' });
    store.updateTrain({ status: 'running' });
  }
  stop(): void {
    this.worker?.postMessage({ type: 'stop' });
    store.updateTrain({ status: 'stopping', message: 'Stopping after this step, then saving a checkpoint…', stepsPerSec: 0, etaSec: 0 });
  }

  /** The worker is finished with: no rate or ETA is left on screen, and the list shows what was saved. */
  private end(patch: Parameters<typeof store.updateTrain>[0]): void {
    this.worker?.terminate();
    this.worker = undefined;
    store.updateTrain({ ...patch, stepsPerSec: 0, etaSec: 0, activity: undefined });
    void refreshRuns();
  }

  /** A new run that failed before its first checkpoint (bad settings, no VGG weights) holds nothing to keep. */
  private async dropIfEmpty(id: string | undefined): Promise<void> {
    const meta = id ? await getRun(id).catch(() => undefined) : undefined;
    if (meta && !meta.files['checkpoints/latest.json']) {
      await deleteRun(meta.id).catch(() => {});
      store.updateTrain({ runId: undefined, runName: undefined });
    }
  }

  private onMessage(m: FromWorker): void {
    const t = store.state.train;
    switch (m.type) {
      case 'data':
        store.updateTrain({ status: 'running', dataUsed: m.used, skipped: m.skipped, message: `Training "${this.runName}" on ${m.used} images` });
        break;
      case 'ready': // the run is open (after its data): say where it trains
        store.updateTrain({ message: `Training "${this.runName}" on ${t.dataUsed ?? '?'} images, on ${m.adapter}` });
        break;
      case 'step': {
        this.stamps.push(performance.now());
        if (this.stamps.length > RATE_WINDOW + 1) this.stamps.shift();
        const n = this.stamps.length - 1;
        const rate = n > 0 ? (1000 * n) / (this.stamps[n] - this.stamps[0]) : 0;
        store.updateTrain({
          step: m.log.step,
          total: m.total,
          logs: [...t.logs.filter((l) => l.step < m.log.step), m.log],
          activity: undefined,
          stepsPerSec: t.status === 'running' ? rate : 0,
          etaSec: rate > 0 ? (m.total - m.log.step) / rate : 0,
        });
        break;
      }
      case 'grid':
        store.updateTrain({
          grids: [
            ...t.grids.filter((g) => g.step !== m.step),
            { step: m.step, url: URL.createObjectURL(new Blob([m.png as BlobPart], { type: 'image/png' })) },
          ],
        });
        break;
      case 'report':
        if (m.contactSheet && t.contactSheet) URL.revokeObjectURL(t.contactSheet);
        store.updateTrain({
          ...(m.metrics ? { metrics: m.metrics } : {}),
          ...(m.contactSheet ? { contactSheet: URL.createObjectURL(new Blob([m.contactSheet as BlobPart], { type: 'image/png' })) } : {}),
        });
        break;
      case 'checkpoint':
        store.update({ trainedGenerator: { bytes: m.generator, step: m.step, label: this.runName } });
        store.updateTrain({ savedStep: m.step });
        void refreshRuns();
        break;
      case 'profile':
        store.update({ profile: { source: `training worker, the profiled steps up to step ${m.step}`, rows: m.rows, events: m.events } });
        break;
      case 'paused':
        this.stamps = []; // the pause is not training time
        store.updateTrain({ status: 'paused', message: `Paused at step ${m.step}`, stepsPerSec: 0, etaSec: 0 });
        break;
      case 'resumed':
        store.updateTrain({ status: 'running', message: `Resumed at step ${m.step}` });
        break;
      case 'note':
        store.updateTrain({ message: m.message });
        break;
      case 'activity':
        store.updateTrain({ activity: m.text, activitySince: performance.now() });
        break;
      case 'done':
        this.end(
          m.stopped
            ? { status: 'stopped', summary: m.summary, message: `Stopped by you at step ${m.step}. The run is saved: continue it from Saved runs.` }
            : { status: 'done', summary: m.summary, message: `Finished: ${m.step} steps` },
        );
        break;
      case 'error':
        void this.dropIfEmpty(t.runId).finally(() => this.end({ status: 'error', message: m.message }));
        break;
    }
  }
}

export const trainClient = new TrainClient();
