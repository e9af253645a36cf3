/**
 * How long and how much memory an upscale will take, said before it starts. The time comes from a
 * rate measured on this adapter just before the work: the model runs twice on one small window
 * (the first run builds the kernels), the second is timed, and the job's windows (its tiles with
 * their context; ×8 for the self-ensemble) are priced at that rate per pixel. Small windows use a
 * GPU less well than the real tiles, so there the estimate errs long; it has not been checked
 * against whole runs on other adapters. The progress line's ETA then follows the real tiles.
 */
import * as E from '../engine/index.js';
import { planTiles } from '../srgan/serve/upscale.js';
import type { UpscaleJob } from './upscale-plan.js';
import { formatDuration } from './progress.js';

/** A job is worth a warning from this long, or from this many output megapixels (files of 100 MB and more). */
const WARN_SECONDS = 5 * 60,
  WARN_OUTPUT_MP = 40;
/**
 * Resident memory of `srgan upscale` besides the image: Node, Dawn, sharp and the model, measured
 * with /usr/bin/time -v by scripts/bench-upscale-memory.sh (the default model at 750×500: 614 MB on
 * SwiftShader, 534 MB on the CPU backend, of which 37 MB are the input and the strip).
 */
export const BASE_RSS_MB = 600;
/** Per 1000 px of the upscaled width: one strip of float output (256 LR rows × 4) plus its PNG rows. */
export const STRIP_MB_PER_1000PX = 13;

const CALIBRATION_SIDE = 48;

/** Seconds per LR window pixel of `run` on this adapter (its kernels are built on the way, which the real run reuses). */
export async function measureRate(run: (x: E.Tensor) => E.Tensor): Promise<number> {
  const x = E.Tensor.fromArray(new Float32Array(3 * CALIBRATION_SIDE ** 2).fill(0.5), [1, 3, CALIBRATION_SIDE, CALIBRATION_SIDE]);
  try {
    let seconds = 0;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      const y = E.tidy(() => run(x));
      await y.read().finally(() => y.dispose());
      seconds = (performance.now() - t0) / 1000;
    }
    return seconds / CALIBRATION_SIDE ** 2;
  } finally {
    x.dispose();
  }
}

/** The model's work for a job: LR pixels of every window (a tile's core and its context). */
export function windowPixels(job: Pick<UpscaleJob, 'width' | 'height'>, tile: number, overlap: number, selfEnsemble: boolean): number {
  const windows = planTiles(job.width, job.height, tile, overlap, overlap).reduce((n, t) => n + t.iw * t.ih, 0);
  return windows * (selfEnsemble ? 8 : 1);
}

/** Resident memory (MB) of upscaling `job` with streaming: the base, the decoded input and one strip. */
export function expectedRssMb(job: UpscaleJob, modelScale: number): number {
  const input = (job.width * job.height * job.channels * job.bitDepth) / 8 / 2 ** 20;
  return BASE_RSS_MB + input + (STRIP_MB_PER_1000PX * job.width * modelScale * job.channels) / 3 / 1000;
}

const mp = (w: number, h: number) => `${((w * h) / 1e6).toFixed(1)} MP`;

/** One warning line for a large job (output size, time, memory), or undefined for a small one. */
export function largeJobWarning(job: UpscaleJob, seconds: number, modelScale: number): string | undefined {
  if (seconds < WARN_SECONDS && job.outWidth * job.outHeight < WARN_OUTPUT_MP * 1e6) return undefined;
  return (
    `warning: ${job.input} is ${job.width}×${job.height} (${mp(job.width, job.height)}): the result is ` +
    `${job.outWidth}×${job.outHeight} (${mp(job.outWidth, job.outHeight)}) and takes about ${formatDuration(seconds)} ` +
    `on this adapter, with about ${Math.round(expectedRssMb(job, modelScale) / 10) * 10} MB of memory (Ctrl-C stops it)`
  );
}
