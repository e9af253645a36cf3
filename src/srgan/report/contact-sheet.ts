/**
 * One held-out face over the run's steps, as the original project's "0, 2000, 3500, 5000 epochs"
 * figure: LR (nearest ×scale) | the model at a few evenly spaced steps | HR, each frame labelled
 * with its step. Rewritten after every sample grid, so it grows as the run goes.
 */
import { drawTextCentred, textHeight } from './bitmap-font.js';
import { blankRgb, blit, nearestUpscale, type RgbImage } from './raster.js';

export interface ContactFrame {
  step: number;
  image: RgbImage;
}

/** The default cap on frames: a sheet of 8 faces of 256 px plus LR and HR is about 2.6k px wide. */
export const MAX_FRAMES = 8;

/**
 * At most `max` of the sorted, distinct `steps`, evenly spaced by position, always keeping the
 * first and the last (the start and the latest state are what a reader compares).
 */
export function pickFrameSteps(steps: readonly number[], max = MAX_FRAMES): number[] {
  const sorted = [...new Set(steps)].sort((a, b) => a - b);
  if (sorted.length <= max) return sorted;
  if (max < 2) return sorted.slice(-max);
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]);
  return [...picked];
}

const MARGIN = 8,
  GAP = 6,
  LABEL_SCALE = 2,
  LABEL_H = textHeight(LABEL_SCALE) + 8;

export function renderContactSheet(frames: readonly ContactFrame[], ends: { lr: RgbImage; hr: RgbImage; scale: number }, max = MAX_FRAMES): RgbImage {
  const steps = new Set(
    pickFrameSteps(
      frames.map((f) => f.step),
      max,
    ),
  );
  const shown = [...frames].sort((a, b) => a.step - b.step).filter((f) => steps.delete(f.step));
  const { hr } = ends;
  for (const f of shown)
    if (f.image.width !== hr.width || f.image.height !== hr.height)
      throw new Error(`contact sheet: the frame of step ${f.step} is ${f.image.width}×${f.image.height}, the HR ${hr.width}×${hr.height}`);
  const cells: [string, RgbImage][] = [
    [`LR (×${ends.scale})`, nearestUpscale(ends.lr, ends.scale)],
    ...shown.map((f): [string, RgbImage] => [`step ${f.step}`, f.image]),
    ['HR (original)', hr],
  ];
  const sheet = blankRgb(2 * MARGIN + cells.length * hr.width + (cells.length - 1) * GAP, 2 * MARGIN + LABEL_H + hr.height);
  cells.forEach(([label, img], i) => {
    const x = MARGIN + i * (hr.width + GAP);
    drawTextCentred(sheet, label, x + hr.width / 2, MARGIN, { scale: LABEL_SCALE, color: [20, 20, 20] });
    blit(sheet, img, x, MARGIN + LABEL_H);
  });
  return sheet;
}
