/**
 * The run's figure of whole held-out images at 1:1, as the original project showed them (64×64
 * input, 256×256 original and generated face side by side): one row per image, columns
 *   LR (nearest ×4, so its pixels show) | bicubic | start model (only when the run started from a
 *   generator file) | this run's generator | HR,
 * each column labelled and the step and phase printed on top, in the built-in bitmap font. Pure
 * pixel composition on the host: the images come from eval-set.ts.
 */
import { drawText, drawTextCentred, textHeight } from './bitmap-font.js';
import { blankRgb, blit, fillRect, nearestUpscale, type RgbImage } from './raster.js';
import type { Phase } from './schedule.js';

export interface EvalGridRow {
  /** The LR input (HR size / scale); it is drawn enlarged by pixel replication. */
  lr: RgbImage;
  bicubic: RgbImage;
  /** The starting model's output, when the run started from a generator file. */
  start?: RgbImage;
  model: RgbImage;
  hr: RgbImage;
}

export interface EvalGridOptions {
  step: number;
  phase: Phase;
  scale: number;
  /** Label of the start-model column (default 'SRResNet (MSE)', the paper's phase-1 model). */
  startLabel?: string;
}

export interface EvalGridLayout {
  width: number;
  height: number;
  columns: { label: string; x: number; width: number }[];
  rows: { y: number; height: number }[];
}

export const phaseName = (phase: Phase): string => (phase === 1 ? 'phase 1 (SRResNet, pixel MSE)' : 'phase 2 (GAN)');

const MARGIN = 8, GAP = 6, TITLE_SCALE = 2, LABEL_SCALE = 2;
const TITLE_H = textHeight(TITLE_SCALE) + 10, LABEL_H = textHeight(LABEL_SCALE) + 8;
const BACKGROUND = [255, 255, 255] as const, INK = [20, 20, 20] as const, RULE = [200, 200, 200] as const;

export function evalGridColumns(hasStart: boolean, startLabel = 'SRResNet (MSE)'): string[] {
  return ['LR (nearest ×4)', 'bicubic', ...(hasStart ? [startLabel] : []), 'this run', 'HR (original)'];
}

/** Where everything goes: one column per label, as wide as the widest image; one row per image. */
export function layoutEvalGrid(rows: readonly EvalGridRow[], opts: Pick<EvalGridOptions, 'startLabel'> = {}): EvalGridLayout {
  if (!rows.length) throw new Error('eval grid: no images');
  const hasStart = rows.every((r) => r.start);
  const labels = evalGridColumns(hasStart, opts.startLabel).map((l) => (l.startsWith('LR') ? l.replace('4', String(rows[0].hr.width / rows[0].lr.width)) : l));
  const colW = Math.max(...rows.map((r) => r.hr.width));
  const columns = labels.map((label, i) => ({ label, x: MARGIN + i * (colW + GAP), width: colW }));
  let y = MARGIN + TITLE_H + LABEL_H;
  const placed = rows.map((r) => {
    const row = { y, height: r.hr.height };
    y += r.hr.height + GAP;
    return row;
  });
  return { width: 2 * MARGIN + labels.length * colW + (labels.length - 1) * GAP, height: y - GAP + MARGIN, columns, rows: placed };
}

export function renderEvalGrid(rows: readonly EvalGridRow[], opts: EvalGridOptions): { image: RgbImage; layout: EvalGridLayout } {
  for (const r of rows)
    for (const [name, img] of [['bicubic', r.bicubic], ['model', r.model], ['start', r.start], ['LR ×scale', r.lr && { width: r.lr.width * opts.scale, height: r.lr.height * opts.scale }]] as const)
      if (img && (img.width !== r.hr.width || img.height !== r.hr.height))
        throw new Error(`eval grid: the ${name} image is ${img.width}×${img.height}, the HR ${r.hr.width}×${r.hr.height}`);
  const layout = layoutEvalGrid(rows, opts);
  const image = blankRgb(layout.width, layout.height, BACKGROUND);
  drawText(image, `step ${opts.step} · ${phaseName(opts.phase)}`, MARGIN, MARGIN, { scale: TITLE_SCALE, color: INK });
  fillRect(image, MARGIN, MARGIN + TITLE_H - 4, layout.width - 2 * MARGIN, 1, RULE);
  const labelY = MARGIN + TITLE_H + 2;
  for (const c of layout.columns) drawTextCentred(image, c.label, c.x + c.width / 2, labelY, { scale: LABEL_SCALE, color: INK });
  const hasStart = layout.columns.length === 5;
  rows.forEach((r, i) => {
    const cells = [nearestUpscale(r.lr, opts.scale), r.bicubic, ...(hasStart ? [r.start!] : []), r.model, r.hr];
    cells.forEach((img, j) => blit(image, img, layout.columns[j].x, layout.rows[i].y));
  });
  return { image, layout };
}
