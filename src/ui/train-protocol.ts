/** Messages between the Train view and its worker (structured-clone safe: no classes, no tensors). */
import type { KernelEvent, ProfileRow } from '../engine/index.js';
import type { SrganConfig } from '../srgan/config.js';
import type { StepLog, TrainerSnapshot } from '../srgan/train/trainer.js';

/** An image to train on: a File the user gave, or the URL of a bundled one. */
export type ImageInput = { name: string; file: Blob } | { name: string; url: string };

export interface StartMessage {
  type: 'start';
  config: SrganConfig;
  images: ImageInput[];
  /** Held-out images for the LR | bicubic | SR | HR grids (the training images when empty). */
  gridImages: ImageInput[];
  /** Continue from this snapshot (IndexedDB or uploaded files). */
  resume?: TrainerSnapshot;
  /** Start the generator from these weights (an uploaded generator.safetensors), when not resuming. */
  initGenerator?: Uint8Array;
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
  | { type: 'grid'; step: number; png: Blob }
  | { type: 'checkpoint'; snapshot: TrainerSnapshot }
  | { type: 'profile'; step: number; rows: ProfileRow[]; events: KernelEvent[] }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'note'; message: string }
  | { type: 'done'; step: number; stopped: boolean; summary: string }
  | { type: 'error'; message: string };
