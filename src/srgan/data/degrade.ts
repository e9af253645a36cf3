/**
 * The one degradation the project uses: antialiased bicubic (a = −0.5, PIL/Matlab-style) downscaling
 * by `scale`, on the GPU with the engine's resize. Training, evaluation and the bicubic baseline
 * all call these two functions, so the model is judged on exactly the LR it learned from.
 */
import * as E from '../../engine/index.js';

function checkScale(fn: string, scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) throw new E.ShapeError(`${fn}: scale must be a positive integer, got ${scale}`);
}

/** HR [N, C, H, W] → LR [N, C, H/scale, W/scale]. H and W must be multiples of `scale`. */
export function makeLr(hr: E.Tensor, scale = 4): E.Tensor {
  checkScale('makeLr', scale);
  if (hr.rank !== 4) throw new E.ShapeError(`makeLr: HR must be [N, C, H, W], got [${hr.shape}]`);
  const [, , h, w] = hr.shape;
  if (h % scale || w % scale)
    throw new E.ShapeError(`makeLr: HR size ${h}×${w} is not a multiple of the scale ${scale} (crop it first)`);
  return E.resize(hr, h / scale, w / scale, { method: 'bicubic', antialias: true });
}

/** LR [N, C, h, w] → [N, C, h·scale, w·scale] by plain bicubic interpolation (the baseline). */
export function bicubicUpscale(lr: E.Tensor, scale = 4): E.Tensor {
  checkScale('bicubicUpscale', scale);
  if (lr.rank !== 4) throw new E.ShapeError(`bicubicUpscale: LR must be [N, C, H, W], got [${lr.shape}]`);
  return E.resize(lr, lr.shape[2] * scale, lr.shape[3] * scale, { method: 'bicubic', antialias: true });
}
