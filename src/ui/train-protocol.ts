/** Messages between the Train view and its worker (structured-clone safe: no classes, no tensors). */
import type { KernelEvent, ProfileRow } from '../engine/index.js';
import type { SrganConfig } from '../srgan/config.js';
import type { MetricsRow } from '../srgan/report/metrics-log.js';
import type { StepLog } from '../srgan/train/trainer.js';

/** An image to train on: a File the user gave, or the URL of a bundled one. */
export type ImageInput = { name: string; file: Blob } | { name: string; url: string };

export interface StartMessage {
  type: 'start';
  /** The run in IndexedDB (run-store-browser.ts) the worker trains into. */
  runId: string;
  /** Continue the run's latest checkpoint; otherwise the run is new and `config` is its config. */
  resume: boolean;
  config: SrganConfig;
  images: ImageInput[];
  /** Held-out images for the LR | bicubic | SR | HR grids (the training images when empty). */
  gridImages: ImageInput[];
  /** Start a new run's generator from these weights (an uploaded generator.safetensors, or the shipped default). */
  initGenerator?: { bytes: Uint8Array; name: string };
  /** Start a new run's discriminator from these weights (the one shipped with srgan). */
  initDiscriminator?: { bytes: Uint8Array; name: string };
  /** VGG19 weights (safetensors) for the 'vgg' content loss. */
  vggWeights?: Uint8Array;
  gridEvery: number;
  checkpointEvery: number;
  /** Time every kernel and post the profile of the last `gridEvery` steps. */
  profile: boolean;
}

export type ToWorker = StartMessage | { type: 'pause' } | { type: 'resume' } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; adapter: string }
  | { type: 'data'; used: number; skipped: { name: string; reason: string }[] }
  | { type: 'step'; log: StepLog; total: number }
  | { type: 'grid'; step: number; png: Uint8Array }
  /** The run report: the contact sheet (PNG) and/or every metrics row so far. */
  | { type: 'report'; contactSheet?: Uint8Array; metrics?: MetricsRow[] }
  /** A checkpoint is in IndexedDB: its step, and the generator it exports (for the Upscale view). */
  | { type: 'checkpoint'; step: number; generator: Uint8Array }
  | { type: 'profile'; step: number; rows: ProfileRow[]; events: KernelEvent[] }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'note'; message: string }
  /** What the worker is doing before the next step can show (starting, decoding, a phase's first step compiling kernels). */
  | { type: 'activity'; text: string }
  | { type: 'done'; step: number; stopped: boolean; summary: string }
  | { type: 'error'; message: string };
