/**
 * The inference contract (src/srgan/serve/inference.ts) and the edge mirror of tiled upscaling: no graph
 * is recorded while a generator upscales, its output range is mapped to [0, 1], and an UpscalerJS
 * model's output has no stripes along the image's edges.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { makeConfig } from '../../src/srgan/config.js';
import { Generator } from '../../src/srgan/models/generator.js';
import { generatorInference, pretrainedInference, runGenerator, toUnitPixels } from '../../src/srgan/serve/inference.js';
import { upscaleImage } from '../../src/srgan/serve/upscale.js';
import { bicubicUpscale } from '../../src/srgan/data/degrade.js';
import { loadPretrainedNode } from '../../src/srgan/pretrained/node.js';
import type { HostImage } from '../../src/srgan/image/types.js';

useEngine();

/** A smooth picture: two ramps and a slow wave, no detail for a model to invent. */
function smooth(width: number, height: number): HostImage {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data.set([0.2 + (0.6 * x) / width, 0.2 + (0.6 * y) / height, 0.5 + 0.2 * Math.sin((x + y) / 8)], i);
    }
  return { width, height, channels: 3, data };
}

describe('inference contract', () => {
  it('records no graph while upscaling: no grad node on any tile, live tensors back to the baseline after each tile', async () => {
    const generator = new Generator(makeConfig('tiny', { generator: { blocks: 2, channels: 8 } }).generator, { rng: new E.Rng(3) });
    generator.train();
    const model = generatorInference(generator, 'random tiny');
    try {
      // The check can fail: the generator's weights want gradients, so a plain forward records a graph.
      const probe = E.Tensor.fromArray(new Float32Array(3 * 6 * 6).fill(0.5), [1, 3, 6, 6]);
      const taped = generator.forward(probe);
      expect(taped.node).toBeDefined();
      taped.dispose();

      const live = E.liveTensorCount();
      const afterTile: number[] = [];
      const modes: boolean[] = [];
      const out = await upscaleImage(
        (x) => {
          const y = model.run(x);
          expect(y.node).toBeUndefined();
          expect(y.requiresGrad).toBe(false);
          modes.push(generator.training);
          return y;
        },
        smooth(13, 9),
        { tile: 5, overlap: 2, onProgress: () => afterTile.push(E.liveTensorCount()) },
      );
      expect(out.width).toBe(52);
      expect(afterTile).toEqual(new Array(6).fill(live));
      // Eval mode for the call only: a generator being trained goes back to training mode.
      expect(modes.every((m) => m)).toBe(true);
      probe.dispose();
    } finally {
      model.dispose();
    }
  });

  it("maps a tanh generator's [-1, 1] to [0, 1], clamped, in one place", async () => {
    const x = E.Tensor.fromArray(Float32Array.from([-1.5, -1, 0, 0.5, 1, 2]), [1, 1, 2, 3]);
    const a = toUnitPixels(x, '[-1,1]'),
      b = toUnitPixels(x, '[0,1]');
    expect([...(await a.read())]).toEqual([0, 0, 0.5, 0.75, 1, 1]);
    expect([...(await b.read())]).toEqual([0, 0, 0, 0.5, 1, 1]);
    [x, a, b].forEach((t) => t.dispose());
    // A generator configured for [-1, 1] comes out of runGenerator in [0, 1].
    const g = new Generator(makeConfig('tiny', { generator: { blocks: 1, channels: 4, output: 'tanh', outputRange: '[-1,1]' } }).generator, {
      rng: new E.Rng(5),
    });
    const lr = E.Tensor.fromArray(new Float32Array(3 * 4 * 4).fill(0.3), [1, 3, 4, 4]);
    const raw = E.noGrad(() => g.forward(lr)),
      sr = runGenerator(g, lr);
    const [r, s] = [await raw.read(), await sr.read()];
    expect(Math.max(...s.map((v, i) => Math.abs(v - Math.min(1, Math.max(0, r[i] * 0.5 + 0.5)))))).toBeLessThan(1e-6);
    [lr, raw, sr].forEach((t) => t.dispose());
    g.dispose();
  });
});

describe('edge mirror', () => {
  it('esrgan-slim leaves no stripes along the edges of a smooth picture (and does without the mirror)', async () => {
    const img = smooth(20, 20),
      side = 80;
    const slim = pretrainedInference(await loadPretrainedNode('esrgan-slim', 4));
    try {
      const bicubic = await upscaleImage((x) => bicubicUpscale(x, 4), img, { edgePad: 0 });
      /** Mean |SR − bicubic| over the output pixels whose distance to the nearest edge is in [lo, hi). */
      const band = (sr: HostImage, lo: number, hi: number) => {
        let sum = 0,
          n = 0;
        for (let y = 0; y < side; y++)
          for (let x = 0; x < side; x++) {
            const d = Math.min(x, y, side - 1 - x, side - 1 - y);
            if (d < lo || d >= hi) continue;
            for (let c = 0; c < 3; c++) sum += Math.abs(sr.data[(y * side + x) * 3 + c] - bicubic.data[(y * side + x) * 3 + c]);
            n += 3;
          }
        return sum / n;
      };
      const mirrored = await upscaleImage((x) => slim.run(x), img, { overlap: 8 });
      const zeroPadded = await upscaleImage((x) => slim.run(x), img, { overlap: 8, edgePad: 0 });
      const ratio = (sr: HostImage) => band(sr, 0, 12) / band(sr, 12, 24);
      // Measured: 1.3 with the mirror, 2.2 with the model's zero padding (the stripes).
      expect(ratio(mirrored)).toBeLessThan(1.5);
      expect(ratio(zeroPadded)).toBeGreaterThan(1.8);
    } finally {
      slim.dispose();
    }
  });
});
