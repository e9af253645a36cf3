/** The run's figures as pixels: the bitmap font, the whole-image grid and the contact sheet (host only, no GPU). */
import { describe, expect, it } from 'vitest';
import { CELL_W, drawText, fontCovers, textHeight, textWidth } from '../../src/srgan/report/bitmap-font.js';
import {
  evalGridColumns,
  layoutEvalGrid,
  phaseName,
  renderComparisonGrid,
  renderEvalGrid,
  type EvalGridRow,
} from '../../src/srgan/report/eval-grid.js';
import { pickFrameSteps, renderContactSheet } from '../../src/srgan/report/contact-sheet.js';
import { blankRgb, cropRgb, nearestUpscale, type RgbImage } from '../../src/srgan/report/raster.js';

const solid = (w: number, h: number, v: number): RgbImage => blankRgb(w, h, [v, v, v]);
/** The number of non-white pixels in a rectangle (ink). */
const ink = (img: RgbImage, x: number, y: number, w: number, h: number) => {
  let n = 0;
  for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) if (img.data[(r * img.width + c) * 3] < 128) n++;
  return n;
};
const pixel = (img: RgbImage, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];

function rows(n: number, size: number, start: boolean): EvalGridRow[] {
  return Array.from({ length: n }, (_, i) => ({
    lr: solid(size / 4, size / 4, 10 + i),
    bicubic: solid(size, size, 60),
    model: solid(size, size, 110),
    hr: solid(size, size, 200),
    ...(start ? { start: solid(size, size, 160) } : {}),
  }));
}

describe('bitmap font', () => {
  it('covers every label the figures print and measures text', () => {
    for (const label of [...evalGridColumns(true), phaseName(1), phaseName(2), 'step 123456 ·', 'LR (×4)'])
      expect(fontCovers(label), label).toBe(true);
    expect(textWidth('AB', 2)).toBe((2 * CELL_W - 1) * 2);
    expect(textHeight(3)).toBe(21);
  });

  it('draws distinct glyphs, lower case as capitals', () => {
    const draw = (t: string) => {
      const img = blankRgb(40, 10);
      drawText(img, t, 1, 1);
      return img.data.join();
    };
    expect(draw('a')).toBe(draw('A'));
    expect(draw('O')).not.toBe(draw('0'));
    expect(new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('').map(draw)).size).toBe(36);
    expect(draw(' ')).toBe(blankRgb(40, 10).data.join());
  });
});

describe('whole-image eval grid', () => {
  it('places whole 256-px images at 1:1 in five labelled columns with a start model', () => {
    const { image, layout } = renderEvalGrid(rows(3, 256, true), { step: 1200, phase: 2, scale: 4 });
    expect(layout.columns.map((c) => c.label)).toEqual(['LR (nearest ×4)', 'bicubic', 'SRResNet (MSE)', 'this run', 'HR (original)']);
    expect(layout.columns.every((c) => c.width === 256)).toBe(true);
    expect(layout.rows.map((r) => r.height)).toEqual([256, 256, 256]);
    expect(image.width).toBe(layout.width);
    expect(image.width).toBeGreaterThan(5 * 256);
    expect(image.height).toBe(layout.height);
    // Every cell holds its whole image: the four corners and the centre carry the cell's value.
    const values = [10, 60, 160, 110, 200];
    layout.columns.forEach((c, j) =>
      layout.rows.forEach((r, i) => {
        for (const [x, y] of [
          [0, 0],
          [255, 0],
          [0, 255],
          [255, 255],
          [128, 128],
        ])
          expect(pixel(image, c.x + x, r.y + y)[0]).toBe(j === 0 ? 10 + i : values[j]);
      }),
    );
    // The LR is enlarged by pixel replication, not interpolated.
    expect(nearestUpscale(solid(2, 2, 7), 4).width).toBe(8);
    // Labels and the title are drawn above the first row.
    for (const c of layout.columns) expect(ink(image, c.x, layout.rows[0].y - 22, c.width, 20)).toBeGreaterThan(20);
    expect(ink(image, 0, 0, image.width, 26)).toBeGreaterThan(100);
  });

  it('has no start-model column without a start model, and refuses images of the wrong size', () => {
    const { layout } = renderEvalGrid(rows(2, 64, false), { step: 0, phase: 1, scale: 4 });
    expect(layout.columns.map((c) => c.label)).toEqual(['LR (nearest ×4)', 'bicubic', 'this run', 'HR (original)']);
    const bad = rows(1, 64, false);
    bad[0].model = solid(60, 64, 0);
    expect(() => renderEvalGrid(bad, { step: 0, phase: 1, scale: 4 })).toThrow(/"this run" image is 60×64/);
    expect(() => layoutEvalGrid([])).toThrow(/no images/);
  });

  it('compares any number of models: one labelled column each, between bicubic and HR', () => {
    const row = { lr: solid(16, 16, 10), bicubic: solid(64, 64, 60), outputs: [solid(64, 64, 90), solid(64, 64, 130)], hr: solid(64, 64, 200) };
    const { image, layout } = renderComparisonGrid([row], { title: 'default vs srgan', modelLabels: ['default', 'srgan'], scale: 4 });
    expect(layout.columns.map((c) => c.label)).toEqual(['LR (nearest ×4)', 'bicubic', 'default', 'srgan', 'HR (original)']);
    expect(layout.columns.map((c) => pixel(image, c.x + 32, layout.rows[0].y + 32)[0])).toEqual([10, 60, 90, 130, 200]);
    expect(() => renderComparisonGrid([row], { title: '', modelLabels: ['default'], scale: 4 })).toThrow(/2 model images for 1 labels/);
    expect(() =>
      renderComparisonGrid([{ ...row, outputs: [solid(64, 64, 0), solid(60, 64, 0)] }], { title: '', modelLabels: ['default', 'srgan'], scale: 4 }),
    ).toThrow(/"srgan" image is 60×64/);
  });

  it('prints the step and phase: different steps give different title pixels', () => {
    const a = renderEvalGrid(rows(1, 64, false), { step: 100, phase: 1, scale: 4 }).image;
    const b = renderEvalGrid(rows(1, 64, false), { step: 200, phase: 2, scale: 4 }).image;
    expect(cropRgb(a, 0, 0, a.width, 24).data.join()).not.toBe(cropRgb(b, 0, 0, b.width, 24).data.join());
  });
});

describe('contact sheet', () => {
  it('picks evenly spaced steps, always the first and the last', () => {
    expect(pickFrameSteps([0, 100, 200], 8)).toEqual([0, 100, 200]);
    const steps = Array.from({ length: 51 }, (_, i) => i * 100);
    const picked = pickFrameSteps(steps, 6);
    expect(picked).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(pickFrameSteps([300, 0, 300, 100], 8)).toEqual([0, 100, 300]);
  });

  it('shows LR, the capped frames in step order and HR, each labelled', () => {
    const frames = Array.from({ length: 12 }, (_, i) => ({ step: i * 10, image: solid(64, 64, 20 + i * 10) }));
    const sheet = renderContactSheet(frames.reverse(), { lr: solid(16, 16, 5), hr: solid(64, 64, 250), scale: 4 }, 4);
    const cells = 6; // LR + 4 frames + HR
    expect(sheet.width).toBe(2 * 8 + cells * 64 + (cells - 1) * 6);
    const top = sheet.height - 8 - 64;
    const cellValue = (k: number) => pixel(sheet, 8 + k * 70 + 32, top + 32)[0];
    expect([0, 1, 2, 3, 4, 5].map(cellValue)).toEqual([5, 20, 60, 90, 130, 250]);
    for (let k = 0; k < cells; k++) expect(ink(sheet, 8 + k * 70, 8, 64, 14)).toBeGreaterThan(10);
  });
});
