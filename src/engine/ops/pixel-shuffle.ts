/**
 * pixelShuffle (sub-pixel convolution's rearrangement, PyTorch channel order) and nearest-neighbour
 * upsampling, NCHW. Each backward is the opposite gather, so gradients never need atomics.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { fmt, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { pixelShuffleKernel, type ShuffleMode } from '../kernels/pixel-shuffle.js';
import { pixelGatherCpu } from './cpu/pixel-shuffle.js';

/** Run one gather; `h`, `w` are the small grid's size, `r` the factor. */
function gather(mode: ShuffleMode, src: Tensor, outShape: readonly number[], h: number, w: number, r: number): Tensor {
  const eng = engine();
  if (eng.kind === 'cpu') return pixelGatherCpu(eng, mode, src, outShape, h, w, r);
  const y = Tensor.empty(outShape);
  const wg = engine().tuning.elementwiseWG;
  engine().runKernel(
    { name: `pixel_${mode}`, key: `${wg}`, ...pixelShuffleKernel(mode, wg) },
    { buffers: [src.buffer, y.buffer], params: new Uint32Array([y.size, h, w, r]), workgroups: grid1d(y.size, wg), bytes: (src.size + y.size) * 4 },
  );
  return y;
}

function checkFactor(op: string, x: Tensor, r: number): void {
  if (x.rank !== 4) throw new ShapeError(`${op}: input must be [N, C, H, W], got ${fmt(x.shape)}`);
  if (!Number.isInteger(r) || r < 1) throw new ShapeError(`${op}: factor must be a positive integer, got ${r} for input ${fmt(x.shape)}`);
}

/** [N, C·r², H, W] → [N, C, H·r, W·r]. */
export function pixelShuffle(x: Tensor, r: number): Tensor {
  checkFactor('pixelShuffle', x, r);
  const [n, cr2, h, w] = x.shape;
  if (cr2 % (r * r) !== 0) throw new ShapeError(`pixelShuffle: ${cr2} channels of input ${fmt(x.shape)} are not divisible by r² = ${r * r}`);
  const y = gather('shuffle', x, [n, cr2 / (r * r), h * r, w * r], h, w, r);
  return record(y, 'pixelShuffle', [x], (g) => [gather('unshuffle', g, x.shape, h, w, r)]);
}

/** Nearest-neighbour upsampling by an integer factor: [N, C, H, W] → [N, C, H·s, W·s]. */
export function upsampleNearest(x: Tensor, scale = 2): Tensor {
  checkFactor('upsampleNearest', x, scale);
  const [n, c, h, w] = x.shape;
  const y = gather('upsample', x, [n, c, h * scale, w * scale], h, w, scale);
  return record(y, 'upsampleNearest', [x], (g) => [gather('upsampleBwd', g, x.shape, h, w, scale)]);
}

/** float64 references, written straight from PyTorch's definition. */
export function refPixelShuffle(x: RefArray, r: number): RefArray {
  const [n, cr2, h, w] = x.shape;
  const c = cr2 / (r * r);
  const shape = [n, c, h * r, w * r];
  const out = new Float64Array(x.data.length);
  let o = 0;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let oh = 0; oh < h * r; oh++)
        for (let ow = 0; ow < w * r; ow++) {
          const src = ch * r * r + (oh % r) * r + (ow % r);
          out[o++] = x.data[((b * cr2 + src) * h + Math.floor(oh / r)) * w + Math.floor(ow / r)];
        }
  return { data: out, shape };
}

export function refUpsampleNearest(x: RefArray, scale = 2): RefArray {
  const [n, c, h, w] = x.shape;
  const shape = [n, c, h * scale, w * scale];
  const out = new Float64Array(x.data.length * scale * scale);
  let o = 0;
  for (let p = 0; p < n * c; p++)
    for (let oh = 0; oh < h * scale; oh++)
      for (let ow = 0; ow < w * scale; ow++) out[o++] = x.data[(p * h + Math.floor(oh / scale)) * w + Math.floor(ow / scale)];
  return { data: out, shape };
}
