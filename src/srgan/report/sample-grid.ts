/**
 * The figure the original project saved during training: one row per fixed held-out image,
 * columns LR | bicubic | SR | HR, all shown at HR size (LR by pixel replication, so its blockiness
 * is visible). A sequence of these grids shows the model learning.
 */
import * as E from '../../engine/index.js';
import { bicubicUpscale, makeLr } from '../data/degrade.js';
import type { HrBatch, Trainer } from '../train/trainer.js';

/** 8-bit RGB, row-major, 3 bytes a pixel. */
export interface GridImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export const GRID_COLUMNS = ['LR', 'bicubic', 'SR', 'HR'] as const;
const GAP = 4;

export async function renderSampleGrid(trainer: Trainer, hr: HrBatch): Promise<GridImage> {
  const [n, , h, w] = hr.shape;
  const s = trainer.config.generator.scale;
  const cols = E.tidy(() => {
    const hrT = E.tensor(hr.data, [...hr.shape]);
    const lr = makeLr(hrT, s);
    return [E.upsampleNearest(lr, s), E.clamp(bicubicUpscale(lr, s), 0, 1), trainer.enhance(lr), hrT];
  });
  const planes = await Promise.all(cols.map((t) => t.read()));
  for (const t of cols) t.dispose();

  const width = GRID_COLUMNS.length * w + (GRID_COLUMNS.length - 1) * GAP;
  const height = n * h + (n - 1) * GAP;
  const data = new Uint8ClampedArray(width * height * 3).fill(255);
  const plane = h * w;
  for (let img = 0; img < n; img++)
    for (let col = 0; col < planes.length; col++) {
      const src = planes[col];
      const x0 = col * (w + GAP),
        y0 = img * (h + GAP);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = ((y0 + y) * width + x0 + x) * 3;
          for (let c = 0; c < 3; c++) data[o + c] = Math.round(src[(img * 3 + c) * plane + y * w + x] * 255);
        }
    }
  return { width, height, data };
}

/**
 * Fixed grid inputs: the centre crop×crop window of up to `n` images (smaller images skipped),
 * as a planar [N, 3, crop, crop] batch in [0, 1].
 */
export function centreCrops(images: readonly { width: number; height: number; rgb: Float32Array }[], crop: number, n = 4): HrBatch | undefined {
  const fit = images.filter((im) => im.width >= crop && im.height >= crop).slice(0, n);
  if (!fit.length) return undefined;
  const plane = crop * crop;
  const data = new Float32Array(fit.length * 3 * plane);
  fit.forEach((im, b) => {
    const x0 = (im.width - crop) >> 1,
      y0 = (im.height - crop) >> 1;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < crop; y++) {
        const src = c * im.width * im.height + (y0 + y) * im.width + x0;
        data.set(im.rgb.subarray(src, src + crop), (b * 3 + c) * plane + y * crop);
      }
  });
  return { data, shape: [fit.length, 3, crop, crop] };
}
