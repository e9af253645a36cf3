/**
 * The run's figure of whole held-out images at 1:1, as the original project showed them (64×64
 * input, 256×256 original and generated face side by side): one row per image, columns
 *   LR (nearest ×4, so its pixels show) | bicubic | start model (only when the run started from a
 *   generator file) | this run's generator | HR,
 * each column labelled and the step and phase printed on top, in the built-in bitmap font. Pure
 * pixel composition on the host: the images come from eval-set.ts.
 */
import { drawText, drawTextCentred, textHeight, textWidth } from './bitmap-font.js';
import { blankRgb, blit, fillRect, nearestUpscale, type RgbImage } from './raster.js';
import type { Phase } from '../train/schedule.js';

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

const MARGIN = 8,
  GAP = 6,
  TITLE_SCALE = 2,
  LABEL_SCALE = 2;
const TITLE_H = textHeight(TITLE_SCALE) + 10,
  LABEL_H = textHeight(LABEL_SCALE) + 8;
const BACKGROUND = [255, 255, 255] as const,
  INK = [20, 20, 20] as const,
  RULE = [200, 200, 200] as const;

export function evalGridColumns(hasStart: boolean, startLabel = 'SRResNet (MSE)'): string[] {
  return ['LR (nearest ×4)', 'bicubic', ...(hasStart ? [startLabel] : []), 'this run', 'HR (original)'];
}

/** One row of a comparison figure: the LR input, bicubic, one output per compared model, the HR. */
export interface ComparisonRow {
  lr: RgbImage;
  bicubic: RgbImage;
  outputs: readonly RgbImage[];
  hr: RgbImage;
}

/** The labels of a comparison figure's columns, with the LR column naming the row's scale. */
function comparisonColumns(rows: readonly ComparisonRow[], modelLabels: readonly string[]): string[] {
  const scale = rows[0].hr.width / rows[0].lr.width;
  return [`LR (nearest ×${scale})`, 'bicubic', ...modelLabels, 'HR (original)'];
}

/** Where everything goes: one column per label, as wide as the widest image; one row per image. */
function layoutColumns(rows: readonly { hr: RgbImage }[], labels: readonly string[]): EvalGridLayout {
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

/** The run's rows as a comparison: the start model's column (when every row has one), then this run's. */
function asComparison(rows: readonly EvalGridRow[], startLabel = 'SRResNet (MSE)'): { rows: ComparisonRow[]; labels: string[] } {
  if (!rows.length) throw new Error('eval grid: no images');
  const hasStart = rows.every((r) => r.start);
  return {
    rows: rows.map((r) => ({ lr: r.lr, bicubic: r.bicubic, hr: r.hr, outputs: hasStart ? [r.start!, r.model] : [r.model] })),
    labels: [...(hasStart ? [startLabel] : []), 'this run'],
  };
}

export function layoutEvalGrid(rows: readonly EvalGridRow[], opts: Pick<EvalGridOptions, 'startLabel'> = {}): EvalGridLayout {
  const c = asComparison(rows, opts.startLabel);
  return layoutColumns(c.rows, comparisonColumns(c.rows, c.labels));
}

/**
 * Whole images at 1:1 side by side, each column labelled and `title` printed on top: LR (nearest,
 * so its pixels show) | bicubic | each model | HR. The run's grid and `srgan eval --grid` draw it.
 */
export function renderComparisonGrid(
  rows: readonly ComparisonRow[],
  opts: { title: string; modelLabels: readonly string[]; scale: number },
): { image: RgbImage; layout: EvalGridLayout } {
  if (!rows.length) throw new Error('eval grid: no images');
  for (const r of rows) {
    if (r.outputs.length !== opts.modelLabels.length)
      throw new Error(`eval grid: ${r.outputs.length} model images for ${opts.modelLabels.length} labels`);
    const named: [string, { width: number; height: number }][] = [
      ['bicubic', r.bicubic],
      ['LR ×scale', { width: r.lr.width * opts.scale, height: r.lr.height * opts.scale }],
      ...r.outputs.map((o, i): [string, RgbImage] => [opts.modelLabels[i], o]),
    ];
    for (const [name, img] of named)
      if (img.width !== r.hr.width || img.height !== r.hr.height)
        throw new Error(`eval grid: the "${name}" image is ${img.width}×${img.height}, the HR ${r.hr.width}×${r.hr.height}`);
  }
  const layout = layoutColumns(rows, comparisonColumns(rows, opts.modelLabels));
  const image = blankRgb(layout.width, layout.height, BACKGROUND);
  drawText(image, opts.title, MARGIN, MARGIN, { scale: TITLE_SCALE, color: INK });
  fillRect(image, MARGIN, MARGIN + TITLE_H - 4, layout.width - 2 * MARGIN, 1, RULE);
  const labelY = MARGIN + TITLE_H + 2;
  for (const c of layout.columns) {
    // A label wider than its column is drawn smaller, then shortened from the left (its end names it best).
    const scale = textWidth(c.label, LABEL_SCALE) <= c.width ? LABEL_SCALE : 1;
    let label = c.label;
    while (label.length > 4 && textWidth(label, scale) > c.width) label = `..${label.slice(3)}`;
    drawTextCentred(image, label, c.x + c.width / 2, labelY + (LABEL_SCALE - scale) * 3, { scale, color: INK });
  }
  rows.forEach((r, i) => {
    const cells = [nearestUpscale(r.lr, opts.scale), r.bicubic, ...r.outputs, r.hr];
    cells.forEach((img, j) => blit(image, img, layout.columns[j].x, layout.rows[i].y));
  });
  return { image, layout };
}

/** The run's grid: LR | bicubic | the start model (when there is one) | this run | HR, titled with the step and phase. */
export function renderEvalGrid(rows: readonly EvalGridRow[], opts: EvalGridOptions): { image: RgbImage; layout: EvalGridLayout } {
  const c = asComparison(rows, opts.startLabel);
  return renderComparisonGrid(c.rows, { title: `step ${opts.step} · ${phaseName(opts.phase)}`, scale: opts.scale, modelLabels: c.labels });
}
