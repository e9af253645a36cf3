/**
 * Geometric self-ensemble (Timofte et al. 2016; the "+" models of EDSR, Lim et al. 2017): the model
 * runs on the eight flips and transpositions of the input, each output is turned back, and the eight
 * are averaged. A network trained on flipped crops is nearly, not exactly, equivariant to these maps,
 * so the average cancels part of its error: a few hundredths of a dB of PSNR for 8× the work, no
 * training needed. The maps are exact permutations of pixels on the host: nothing is resampled.
 */

/** Channel planes [C, H, W]. */
export interface Planes {
  data: Float32Array;
  channels: number;
  width: number;
  height: number;
}

/** One of the eight maps: flips (in the input's frame), then an optional transposition. */
export interface Dihedral {
  flipX: boolean;
  flipY: boolean;
  transpose: boolean;
}

export const DIHEDRAL: readonly Dihedral[] = [false, true].flatMap((transpose) =>
  [false, true].flatMap((flipY) => [false, true].map((flipX) => ({ flipX, flipY, transpose }))),
);

function flip(p: Planes, flipX: boolean, flipY: boolean): Planes {
  if (!flipX && !flipY) return p;
  const { width: w, height: h } = p;
  const out = new Float32Array(p.data.length);
  for (let c = 0; c < p.channels; c++)
    for (let y = 0; y < h; y++) {
      const src = c * w * h + (flipY ? h - 1 - y : y) * w,
        dst = c * w * h + y * w;
      for (let x = 0; x < w; x++) out[dst + x] = p.data[src + (flipX ? w - 1 - x : x)];
    }
  return { ...p, data: out };
}

function transpose(p: Planes): Planes {
  const { width: w, height: h } = p;
  const out = new Float32Array(p.data.length);
  for (let c = 0; c < p.channels; c++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[c * w * h + x * h + y] = p.data[c * w * h + y * w + x];
  return { ...p, data: out, width: h, height: w };
}

/** The input as the model sees it under `t`. */
export function applyDihedral(p: Planes, t: Dihedral): Planes {
  const f = flip(p, t.flipX, t.flipY);
  return t.transpose ? transpose(f) : f;
}

/** Back to the original frame (each step is its own inverse, so they run in reverse order). */
export function undoDihedral(p: Planes, t: Dihedral): Planes {
  return flip(t.transpose ? transpose(p) : p, t.flipX, t.flipY);
}

/** The mean of `run` over the eight maps, each output turned back to `p`'s frame. `run` may change the size (an upscaler). */
export async function selfEnsemble(p: Planes, run: (q: Planes) => Promise<Planes>): Promise<Planes> {
  let sum: Float32Array | undefined, shape: Planes | undefined;
  for (const t of DIHEDRAL) {
    const back = undoDihedral(await run(applyDihedral(p, t)), t);
    if (!sum) {
      sum = new Float32Array(back.data.length);
      shape = back;
    }
    for (let i = 0; i < sum.length; i++) sum[i] += back.data[i];
  }
  for (let i = 0; i < sum!.length; i++) sum![i] /= DIHEDRAL.length;
  return { ...shape!, data: sum! };
}
