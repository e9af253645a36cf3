/**
 * The app's state, in one place. Elements read it through `StoreController` (which re-renders them
 * on any change) and change it only through `update`, so that every view sees the same facts: the
 * adapter, the saved runs, the run on screen (the one the worker trains, or a saved one opened),
 * the generator the Upscale view offers as "trained here", the last profile.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AdapterSummary, KernelEvent, ProfileRow } from '../engine/index.js';
import type { StepLog } from '../srgan/train/trainer.js';
import type { MetricsRow } from '../srgan/report/metrics-log.js';
import type { RunMeta } from '../srgan/store/run-store-browser.js';

export type Tab = 'train' | 'upscale' | 'profiler';
/** 'stopped': the user stopped it (the run is saved and can be continued); 'done': it reached its last step. */
export type TrainStatus = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'done' | 'error';

export const isActive = (s: TrainStatus) => s === 'starting' || s === 'running' || s === 'paused' || s === 'stopping';

export interface GridShot {
  step: number;
  /** Object URL of a PNG of the LR | bicubic | SR | HR grid. */
  url: string;
}

export interface ProfileSnapshot {
  source: string;
  rows: ProfileRow[];
  events: KernelEvent[];
  /** Why there are no rows (timestamp-query missing, nothing run yet). */
  note?: string;
}

export interface AppState {
  adapter?: AdapterSummary;
  /** Set when WebGPU is unavailable: the app shows this instead of the views. */
  fatal?: string;
  tab: Tab;
  /** The runs saved in this browser (IndexedDB), newest first. */
  runs: RunMeta[];
  /** Why the list could not be read or changed (no IndexedDB, a refused write). */
  runsError?: string;
  train: {
    /** The run on screen: its id in IndexedDB and its name. */
    runId?: string;
    runName?: string;
    status: TrainStatus;
    step: number;
    total: number;
    stepsPerSec: number;
    etaSec: number;
    logs: StepLog[];
    grids: GridShot[];
    /** Held-out metrics rows (metrics-log.ts) and the contact sheet's object URL, from the run report. */
    metrics: MetricsRow[];
    contactSheet?: string;
    message: string;
    summary?: string;
    /** Images the worker trains on, and those it could not use (unreadable, smaller than the crop). */
    dataUsed?: number;
    skipped?: { name: string; reason: string }[];
    /** Step of the last checkpoint of this run saved in IndexedDB. */
    savedStep?: number;
    /** What training is busy with until the next step arrives, and since when (performance.now()). */
    activity?: string;
    activitySince?: number;
  };
  /** safetensors bytes of the generator the Upscale view offers as "trained here": a run's, or an uploaded file. */
  trainedGenerator?: { bytes: Uint8Array; step: number; label: string };
  /** Set by "Use in Upscale": the Upscale view selects the trained generator once, then clears it. */
  upscaleTrained?: boolean;
  profile?: ProfileSnapshot;
}

type Listener = (s: AppState) => void;

class Store {
  private listeners = new Set<Listener>();
  state: AppState = {
    tab: 'train',
    runs: [],
    train: { status: 'idle', step: 0, total: 0, stepsPerSec: 0, etaSec: 0, logs: [], grids: [], metrics: [], message: '' },
  };

  update(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  updateTrain(patch: Partial<AppState['train']>): void {
    this.update({ train: { ...this.state.train, ...patch } });
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export const store = new Store();

/** Re-render the host whenever the store changes. */
export class StoreController implements ReactiveController {
  private off?: () => void;
  constructor(private host: ReactiveControllerHost) {
    host.addController(this);
  }
  get state(): AppState {
    return store.state;
  }
  hostConnected(): void {
    this.off = store.subscribe(() => this.host.requestUpdate());
  }
  hostDisconnected(): void {
    this.off?.();
  }
}
