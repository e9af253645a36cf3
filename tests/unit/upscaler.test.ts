/**
 * createUpscaler in Node with the shipped default model: the size and progress of one call,
 * abort between tiles with nothing left on the GPU, flat GPU memory over 20 calls, the same model
 * given as bytes or a path, and one clear error per bad input.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { ConfigError, createUpscaler, ModelFileError, UpscalerError } from '../../src/srgan/node.js';
import { ImageShapeError } from '../../src/srgan/image/types.js';
import { SHIPPED_MODELS } from '../../src/srgan/index.js';
import { DEFAULT_GENERATOR_PATH, shippedModel } from '../../src/srgan/testing.js';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const engineOf = useEngine();

/** An opaque RGBA picture with some structure (a ramp and a checker). */
function rgba(width: number, height: number, alpha = () => 255): { data: Uint8ClampedArray; width: number; height: number } {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([(x * 37) % 256, (y * 53) % 256, ((x ^ y) & 4) * 40, alpha()], (y * width + x) * 4);
  return { data, width, height };
}

/** Small tiles so a tiny image still makes several, and a short context so the test stays quick. */
const fast = { tile: 6, overlap: 4 };
const gpuMemory = () => ({ tensors: E.liveTensorCount(), buffers: engineOf().pool.liveBuffers, allocated: engineOf().pool.allocatedBytes });

describe('createUpscaler (Node, shipped default model)', () => {
  it('gives ImageData-shaped RGBA ×4, with progress after every tile', async () => {
    const up = createUpscaler(fast);
    try {
      const progress: [number, number][] = [];
      const out = await up.upscale(rgba(11, 7), { onProgress: (d, n) => progress.push([d, n]) });
      expect([out.width, out.height, out.data.length]).toEqual([44, 28, 44 * 28 * 4]);
      expect(out.data).toBeInstanceOf(Uint8ClampedArray);
      expect(progress).toEqual([
        [1, 4],
        [2, 4],
        [3, 4],
        [4, 4],
      ]);
      expect(out.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
      expect(await up.info()).toEqual({ name: 'default (models/default/generator.safetensors)', scale: 4 });
      // Transparency is kept (upscaled bicubic): a half-transparent image stays half-transparent.
      const half = await up.upscale(rgba(5, 5, () => 128));
      expect(half.data.filter((_, i) => i % 4 === 3).every((a) => a === 128)).toBe(true);
    } finally {
      await up.dispose();
    }
  });

  it('an AbortSignal stops between tiles and the call leaves no tensor or buffer behind', async () => {
    const up = createUpscaler(fast);
    try {
      await up.info(); // the model's weights are the baseline
      const before = gpuMemory();
      const abort = new AbortController();
      let tiles = 0;
      const call = up.upscale(rgba(23, 17), {
        signal: abort.signal,
        onProgress: () => {
          if (++tiles === 2) abort.abort();
        },
      });
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      expect(tiles).toBe(2); // of 12
      expect(gpuMemory()).toMatchObject({ tensors: before.tensors, buffers: before.buffers });
      // An aborted signal stops a call before it starts; the upscaler still works afterwards.
      await expect(up.upscale(rgba(4, 4), { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect((await up.upscale(rgba(4, 4))).width).toBe(16);
    } finally {
      await up.dispose();
    }
  });

  it('GPU memory is flat over 20 calls (tensors, live buffers, bytes allocated)', async () => {
    const up = createUpscaler(fast);
    try {
      const weightsBefore = E.liveTensorCount(); // the model loads on the first call
      await up.upscale(rgba(8, 4)); // warm: the pool holds one call's buffers from now on
      const warm = gpuMemory();
      for (let i = 0; i < 20; i++) {
        await up.upscale(rgba(8, 4));
        expect(gpuMemory()).toEqual(warm);
      }
      await up.dispose();
      // dispose frees the weights and gives the idle pooled buffers back.
      expect(E.liveTensorCount()).toBe(weightsBefore);
      expect(engineOf().pool.pooledBytes).toBe(0);
    } finally {
      await up.dispose();
    }
  });

  it('the same generator as bytes, as a path and by name gives the same pixels', async () => {
    const file = 'models/default/generator.safetensors';
    const image = rgba(6, 5);
    const outs = [];
    for (const model of ['default', readFileSync(file), file, new URL(`../../${file}`, import.meta.url)]) {
      const up = createUpscaler({ ...fast, model: model as never });
      outs.push((await up.upscale(image)).data);
      await up.dispose();
    }
    for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
  });

  it('an UpscalerJS model by name is found in node_modules (×2 here)', async () => {
    const up = createUpscaler({ model: 'esrgan-slim', scale: 2, overlap: 2 });
    try {
      const out = await up.upscale(rgba(4, 3));
      expect([out.width, out.height]).toEqual([8, 6]);
      expect((await up.info()).name).toBe('esrgan-slim ×2 (UpscalerJS, MIT)');
    } finally {
      await up.dispose();
    }
  });

  it('the catalogue is the one list of shipped models', () => {
    expect(SHIPPED_MODELS.map((m) => m.name)).toEqual(['default', 'srgan', 'photo', 'medium']);
    expect(shippedModel('default')?.path).toBe(DEFAULT_GENERATOR_PATH);
    expect(fileURLToPath(shippedModel('default')!.url())).toBe(resolve(DEFAULT_GENERATOR_PATH));
    expect(shippedModel('nope')).toBeUndefined();
  });

  it('the srgan entry of the catalogue resolves to models/srgan/ (an error naming it until the file ships)', async () => {
    const up = createUpscaler({ ...fast, model: 'srgan' });
    try {
      if (existsSync('models/srgan/generator.safetensors')) expect((await up.upscale(rgba(4, 4))).width).toBe(16);
      else await expect(up.upscale(rgba(4, 4))).rejects.toThrow(/"srgan" model is not in this package \(models\/srgan\/generator\.safetensors\)/);
    } finally {
      await up.dispose();
    }
  });

  it("texture dials srgan from default's pixels (0) to its own (1); other values of it are refused", async () => {
    const image = rgba(6, 5);
    const run = async (opts: Parameters<typeof createUpscaler>[0]) => {
      const up = createUpscaler({ ...fast, ...opts });
      try {
        return { pixels: (await up.upscale(image)).data, name: (await up.info()).name };
      } finally {
        await up.dispose();
      }
    };
    const [def, t0, half, t1, srgan] = [
      await run({ model: 'default' }),
      await run({ model: 'srgan', texture: 0 }),
      await run({ model: 'srgan', texture: 0.5 }),
      await run({ model: 'srgan', texture: 1 }),
      await run({ model: 'srgan' }),
    ];
    expect(t0.pixels).toEqual(def.pixels);
    expect(t1.pixels).toEqual(srgan.pixels);
    expect(half.pixels).not.toEqual(def.pixels);
    expect(half.pixels).not.toEqual(srgan.pixels);
    expect(half.name).toMatch(/^srgan at texture 0\.5/);
    expect(() => createUpscaler({ model: 'default', texture: 0.5 })).toThrow(/options.texture blends srgan with default; use it with model: 'srgan'/);
    expect(() => createUpscaler({ model: 'srgan', texture: -0.1 })).toThrow(/options.texture must be between 0 and 1, got -0.1/);
  });

  it('bad options and bad images get one clear error each', async () => {
    expect(() => createUpscaler({ model: 'esrgan-slimm' })).toThrow(
      /unknown model "esrgan-slimm" \(names: default, srgan, photo, medium, esrgan-slim/,
    );
    expect(() => createUpscaler({ model: 'esrgan-slim', scale: 5 })).toThrow(ConfigError);
    expect(() => createUpscaler({ model: 42 as never })).toThrow(/options.model must be/);
    await expect(createUpscaler({ model: 'no/such.safetensors' }).upscale(rgba(2, 2))).rejects.toThrow(/no such file: .*no\/such\.safetensors/);
    await expect(createUpscaler({ model: new Uint8Array([1, 2, 3]) }).upscale(rgba(2, 2))).rejects.toThrow(
      /model bytes: not a valid safetensors file/,
    );
    // Typed: a bad option is a ConfigError, a bad model file a ModelFileError.
    expect(() => createUpscaler({ model: 'nope' })).toThrow(ConfigError);
    await expect(createUpscaler({ model: 'no/such.safetensors' }).info()).rejects.toBeInstanceOf(ModelFileError);
    await expect(createUpscaler({ model: new Uint8Array([1, 2, 3]) }).info()).rejects.toBeInstanceOf(ModelFileError);
    const up = createUpscaler(fast);
    try {
      await expect(up.upscale({ data: new Uint8ClampedArray(10), width: 2, height: 2 })).rejects.toThrow(/10 bytes; 2×2 RGBA needs 16/);
      await expect(up.upscale({ data: new Float32Array(16) as never, width: 2, height: 2 })).rejects.toThrow(/RGBA bytes .*got Float32Array/);
      await expect(up.upscale({ data: new Uint8Array(0), width: 0, height: 0 })).rejects.toThrow(ImageShapeError);
      await expect(up.upscale('photo.png')).rejects.toThrow(/outside a page the image must be ImageData-shaped/);
      await expect(createUpscaler({ model: 'default', scale: 2 }).upscale(rgba(2, 2))).rejects.toThrow(/upscales ×4; options.scale 2/);
    } finally {
      await up.dispose();
    }
    await expect(up.upscale(rgba(2, 2))).rejects.toThrow(/disposed/);
    await expect(up.upscale(rgba(2, 2))).rejects.toBeInstanceOf(UpscalerError);
  });

  it('an engine the upscaler started itself is closed by dispose (so a Node script can exit)', async () => {
    E.destroyEngine();
    const up = createUpscaler(fast);
    expect((await up.upscale(rgba(3, 3))).width).toBe(12);
    expect(() => E.engine()).not.toThrow();
    await up.dispose();
    expect(() => E.engine()).toThrow(/initEngine/);
    await E.initEngine({ log: () => {} }); // for the file's teardown
  });

  it('after the device is gone (here: destroyEngine), the next call loads the model again on a new engine', async () => {
    const up = createUpscaler(fast);
    expect((await up.upscale(rgba(3, 3))).width).toBe(12);
    E.destroyEngine();
    expect((await up.upscale(rgba(3, 3))).width).toBe(12);
    await up.dispose(); // the upscaler started the new engine, so it closes it
    await E.initEngine({ log: () => {} });
  });
});
