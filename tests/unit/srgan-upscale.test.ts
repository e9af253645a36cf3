import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as E from '../../src/engine/index.js';
import * as T from '../../src/engine/testing.js';
import { useEngine } from '../helpers/gpu.js';
import { upscaleImage } from '../../src/srgan/index.js';
import { defaultTile, planTiles, reflectIndex, upscaleStrips, type OutputStrip } from '../../src/srgan/testing.js';
import { bicubicUpscale } from '../../src/srgan/data/degrade.js';
import { toRgbPlanes, type HostImage } from '../../src/srgan/image/types.js';
import { applyDihedral, DIHEDRAL, undoDihedral, type Planes } from '../../src/srgan/serve/self-ensemble.js';

const engineOf = useEngine();

/** A small ×4 model: residual over bicubic, two 3×3 convs (receptive radius 2 LR px) and a pixel shuffle. */
let w1: E.Tensor, b1: E.Tensor, w2: E.Tensor, b2: E.Tensor;
beforeAll(() => {
  w1 = E.randNormal([8, 3, 3, 3], 0, 0.3, 1);
  b1 = E.randNormal([8], 0, 0.1, 2);
  w2 = E.randNormal([48, 8, 3, 3], 0, 0.1, 3);
  b2 = E.randNormal([48], 0, 0.05, 4);
});
afterAll(() => [w1, b1, w2, b2].forEach((t) => t.dispose()));
const model = (x: E.Tensor) =>
  E.add(bicubicUpscale(x), E.pixelShuffle(E.conv2d(E.conv2d(x, w1, b1, { padding: 'same', activation: 'relu' }), w2, b2, { padding: 'same' }), 4));

const noise = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
const image = (width: number, height: number, channels: 1 | 2 | 3 | 4): HostImage => ({
  width,
  height,
  channels,
  data: Float32Array.from({ length: width * height * channels }, (_, i) => noise(i + 17)),
});

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('tiled upscaling', () => {
  it('cores cover the image exactly once; windows share one size and hold the context', () => {
    const tiles = planTiles(23, 17, 7, 4);
    const hits = new Uint8Array(23 * 17);
    for (const t of tiles) {
      expect([t.iw, t.ih]).toEqual([14, 14]);
      expect(t.ix >= 0 && t.iy >= 0 && t.ix + t.iw <= 23 && t.iy + t.ih <= 17).toBe(true);
      for (const [lo, core, len, end] of [
        [t.ix, t.x, t.w, t.ix + t.iw],
        [t.iy, t.y, t.h, t.iy + t.ih],
      ]) {
        expect(core - lo >= 4 || lo === 0).toBe(true);
        expect(end - (core + len) >= 4 || end === (lo === t.ix ? 23 : 17)).toBe(true);
      }
      for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) hits[y * 23 + x]++;
    }
    expect(hits.every((h) => h === 1)).toBe(true);
    expect(tiles.length).toBe(4 * 3);
    expect(() => planTiles(5, 5, 0, 1)).toThrow(/tile/);
  });

  it('the default tile fits the adapter buffer limit', () => {
    const t = defaultTile(16);
    const limit = engineOf().limits.maxStorageBufferBindingSize;
    expect(t).toBeGreaterThanOrEqual(16);
    expect((t + 32) ** 2 * 4096).toBeLessThanOrEqual(Math.max(limit, (16 + 32) ** 2 * 4096));
  });

  it('tiled equals untiled within 1e-4 on odd sizes, and memory stays flat', async () => {
    const img = image(23, 17, 3);
    const whole = await upscaleImage(model, img, { tile: 64, overlap: 4 });
    expect([whole.width, whole.height, whole.channels]).toEqual([92, 68, 3]);
    const live = E.liveTensorCount();
    const progress: [number, number][] = [];
    const tiled = await upscaleImage(model, img, { tile: 12, overlap: 4, onProgress: (d, t) => progress.push([d, t]) });
    expect(E.liveTensorCount()).toBe(live);
    expect(progress).toEqual(Array.from({ length: 4 }, (_, i) => [i + 1, 4]));
    expect(maxDiff(tiled.data, whole.data)).toBeLessThan(1e-4);
    // The check can fail: without context the tile borders differ.
    const seamy = await upscaleImage(model, img, { tile: 12, overlap: 0 });
    expect(maxDiff(seamy.data, whole.data)).toBeGreaterThan(1e-3);
    // Without the edge mirror, the untiled result is the model on the whole image, clamped to [0, 1].
    const unpadded = await upscaleImage(model, img, { tile: 64, overlap: 4, edgePad: 0 });
    const x = E.Tensor.fromArray(toRgbPlanes(img), [1, 3, 17, 23]);
    const y = E.tidy(() => E.clamp(model(x), 0, 1));
    const direct = await y.read();
    [x, y].forEach((t) => t.dispose());
    expect(maxDiff(toRgbPlanes(unpadded), direct)).toBeLessThan(1e-6);
  });

  it('mirrors the image around its edges: the model on the reflection-padded image, cropped', async () => {
    const img = image(9, 6, 3),
      pad = 3;
    // numpy.pad(mode='reflect') by hand: index -1 is 1, index W is W-2.
    const mirror = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    const pw = 9 + 2 * pad,
      ph = 6 + 2 * pad,
      planes = toRgbPlanes(img);
    const padded = Float32Array.from({ length: 3 * pw * ph }, (_, k) => {
      const c = Math.floor(k / (pw * ph)),
        yy = Math.floor(k / pw) % ph,
        xx = k % pw;
      return planes[c * 54 + mirror(yy - pad, 6) * 9 + mirror(xx - pad, 9)];
    });
    const x = E.Tensor.fromArray(padded, [1, 3, ph, pw]);
    const y = E.tidy(() => E.clamp(model(x), 0, 1));
    const full = await y.read();
    [x, y].forEach((t) => t.dispose());
    const want = Float32Array.from({ length: 3 * 36 * 24 }, (_, k) => {
      const c = Math.floor(k / (36 * 24)),
        yy = Math.floor(k / 36) % 24,
        xx = k % 36;
      return full[(c * ph * 4 + yy + 4 * pad) * pw * 4 + xx + 4 * pad];
    });
    const tiled = await upscaleImage(model, img, { tile: 4, overlap: pad });
    expect(maxDiff(toRgbPlanes(tiled), want)).toBeLessThan(1e-5);
    // The check can fail: the model's own zero padding gives other edge pixels.
    const zeroPadded = await upscaleImage(model, img, { tile: 4, overlap: pad, edgePad: 0 });
    expect(maxDiff(toRgbPlanes(zeroPadded), want)).toBeGreaterThan(1e-3);
    expect(reflectIndex(-2, 5)).toBe(2);
    expect(reflectIndex(9, 5)).toBe(1); // mirrored twice on a small image
    expect(reflectIndex(-3, 1)).toBe(0);
  });

  it('RGBA keeps its alpha, upscaled bicubic (clamped); grey and grey+alpha stay grey', async () => {
    const rgba = image(11, 7, 4);
    const out = await upscaleImage(model, rgba, { tile: 4, overlap: 3 });
    expect([out.width, out.height, out.channels]).toEqual([44, 28, 4]);
    const alpha = Float64Array.from({ length: 77 }, (_, i) => rgba.data[i * 4 + 3]);
    const want = T.refResize({ data: alpha, shape: [1, 1, 7, 11] }, 28, 44).data.map((v) => Math.min(1, Math.max(0, v)));
    const got = Float32Array.from({ length: 44 * 28 }, (_, i) => out.data[i * 4 + 3]);
    expect(maxDiff(got, Float32Array.from(want))).toBeLessThan(1e-5);

    for (const channels of [1, 2] as const) {
      const grey = image(10, 8, channels);
      const up = await upscaleImage(model, grey, { tile: 6, overlap: 3 });
      expect(up.channels).toBe(channels);
      // Grey goes in as R = G = B; out comes the mean of the model's three channels.
      const asRgb: HostImage = {
        ...grey,
        channels: 3,
        data: Float32Array.from({ length: 80 * 3 }, (_, i) => grey.data[Math.floor(i / 3) * channels]),
      };
      const rgbUp = await upscaleImage(model, asRgb, { tile: 6, overlap: 3 });
      const mean = Float32Array.from({ length: 40 * 32 }, (_, i) => (rgbUp.data[i * 3] + rgbUp.data[i * 3 + 1] + rgbUp.data[i * 3 + 2]) / 3);
      expect(
        maxDiff(
          Float32Array.from({ length: 40 * 32 }, (_, i) => up.data[i * channels]),
          mean,
        ),
      ).toBeLessThan(1e-6);
    }
  });

  it('a 1×1 image upscales; a model with the wrong output shape is a ShapeError', async () => {
    const one = await upscaleImage(model, image(1, 1, 3), { overlap: 2 });
    expect([one.width, one.height]).toEqual([4, 4]);
    const live = E.liveTensorCount();
    await expect(upscaleImage((x) => E.resize(x, 8, 8), image(5, 5, 3), { tile: 5 })).rejects.toThrow(E.ShapeError);
    expect(E.liveTensorCount()).toBe(live);
  });
});

describe('streaming tiles', () => {
  it('hands over one row of tiles at a time, top to bottom, and the strips are the whole image', async () => {
    const img = image(13, 17, 2);
    const whole = await upscaleImage(model, img, { tile: 64, overlap: 4 });
    const strips: OutputStrip[] = [];
    await upscaleStrips(model, { ...img, samples: img.data, max: 1 }, { tile: 7, overlap: 4 }, (s) => {
      strips.push(s);
    });
    // 17 rows in tiles of ≤ 7: cores of 6, 6, 5 rows, each ×4.
    expect(strips.map((s) => [s.y, s.height, s.width, s.channels])).toEqual([
      [0, 24, 52, 2],
      [24, 24, 52, 2],
      [48, 20, 52, 2],
    ]);
    const joined = new Float32Array(whole.data.length);
    for (const s of strips) joined.set(s.data, s.y * s.width * 2);
    expect(maxDiff(joined, whole.data)).toBeLessThan(1e-4);
  });

  it('reads 8- and 16-bit samples as the float image they stand for', async () => {
    const img = image(9, 7, 3);
    const as = (max: number, T: Uint8ArrayConstructor | Uint16ArrayConstructor) => new T(img.data.map((v) => Math.round(v * max)));
    const rounded = (max: number): HostImage => ({ ...img, data: Float32Array.from(img.data, (v) => Math.round(v * max) / max) });
    for (const [max, T] of [
      [255, Uint8Array],
      [65535, Uint16Array],
    ] as const) {
      const strips: Float32Array[] = [];
      await upscaleStrips(model, { ...img, samples: as(max, T), max }, { tile: 64, overlap: 4 }, (s) => {
        strips.push(s.data);
      });
      expect(maxDiff(strips[0], (await upscaleImage(model, rounded(max), { tile: 64, overlap: 4 })).data)).toBeLessThan(1e-6);
    }
  });

  it('live tensors and GPU buffers stay flat over a long strip of tiles', async () => {
    // 24 tiles of 4×4 LR in one row (96×4), alpha included: every tile must leave the engine as it found it.
    const img = image(96, 4, 4);
    const tensors: number[] = [],
      buffers: number[] = [];
    await upscaleStrips(
      model,
      { ...img, samples: img.data, max: 1 },
      {
        tile: 4,
        overlap: 3,
        onProgress: () => {
          tensors.push(E.liveTensorCount());
          buffers.push(E.engine().memory().liveBuffers);
        },
      },
      () => {},
    );
    expect(tensors).toHaveLength(48);
    expect(new Set(tensors.slice(2)).size).toBe(1);
    expect(new Set(buffers.slice(2)).size).toBe(1);
    expect(Math.max(...tensors)).toBe(tensors[2]);
  });

  it('an abort between tiles stops the strip with nothing left on the engine', async () => {
    const img = image(40, 30, 3),
      ac = new AbortController(),
      live = E.liveTensorCount();
    let strips = 0;
    const run = upscaleStrips(
      model,
      { ...img, samples: img.data, max: 1 },
      {
        tile: 8,
        overlap: 3,
        signal: ac.signal,
        onProgress: (d) => {
          if (d === 3) ac.abort(new Error('stop'));
        },
      },
      () => {
        strips++;
      },
    );
    await expect(run).rejects.toThrow('stop');
    expect([strips, E.liveTensorCount()]).toEqual([0, live]);
  });
});

describe('geometric self-ensemble', () => {
  it('the 8 maps are distinct and each is undone exactly', () => {
    const p: Planes = { data: Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => i), channels: 2, width: 5, height: 3 };
    const seen = new Set<string>();
    for (const t of DIHEDRAL) {
      const q = applyDihedral(p, t);
      expect([q.width, q.height]).toEqual(t.transpose ? [3, 5] : [5, 3]);
      seen.add([...q.data].join());
      expect([...undoDihedral(q, t).data]).toEqual([...p.data]);
    }
    expect(seen.size).toBe(8);
  });

  it('averages a model over the 8 maps, turned back: an oriented ramp averages to a constant', async () => {
    // Values in [0.25, 0.75], so bicubic's overshoot never reaches the clamp.
    const img: HostImage = { ...image(9, 7, 3), data: image(9, 7, 3).data.map((v) => 0.25 + 0.5 * v) };
    // Bicubic (symmetric, so equivariant to flips and transposition) plus 1e-3 × the output column:
    // a model that knows left from right. Turned back, the column is x, W−1−x, y or H−1−y, twice each.
    const ramp = (x: E.Tensor) => {
      const [, , h, w] = x.shape;
      const col = E.Tensor.fromArray(
        Float32Array.from({ length: 3 * 16 * h * w }, (_, i) => 1e-3 * (i % (4 * w))),
        [1, 3, 4 * h, 4 * w],
      );
      return E.add(bicubicUpscale(x), col);
    };
    const W = 36,
      H = 28;
    // No edge mirror: the ramp's column is the image's column only when tiles start at the edge.
    const plain = await upscaleImage(ramp, img, { tile: 64, overlap: 4, edgePad: 0 });
    const base = await upscaleImage(bicubicUpscale, img, { tile: 64, overlap: 4, edgePad: 0 });
    const ensembled = await upscaleImage(ramp, img, { tile: 64, overlap: 4, edgePad: 0, selfEnsemble: true });
    const constant = (1e-3 * (W - 1 + H - 1)) / 4;
    expect(
      maxDiff(
        ensembled.data,
        base.data.map((v) => v + constant),
      ),
    ).toBeLessThan(1e-5);
    expect(
      maxDiff(
        plain.data,
        base.data.map((v) => v + constant),
      ),
    ).toBeGreaterThan(0.01); // without it, the ramp stays
  });

  it('runs every map through the tiles (a transposed image has its own tiling), with progress over all of them', async () => {
    const img = image(23, 17, 4);
    const progress: [number, number][] = [];
    const out = await upscaleImage(model, img, { tile: 12, overlap: 4, selfEnsemble: true, onProgress: (d, t) => progress.push([d, t]) });
    // 4 tiles per map (2 × 2 either way) × 8 maps, then 4 alpha tiles.
    expect(progress.at(-1)).toEqual([36, 36]);
    expect([out.width, out.height, out.channels]).toEqual([92, 68, 4]);
    const single = await upscaleImage(model, img, { tile: 12, overlap: 4 });
    expect(maxDiff(out.data, single.data)).toBeGreaterThan(1e-4); // a random model is far from equivariant
    // Alpha is one bicubic pass either way.
    const alpha = (im: HostImage) => im.data.filter((_, i) => i % 4 === 3);
    expect(maxDiff(alpha(out), alpha(single))).toBe(0);
  });
});
