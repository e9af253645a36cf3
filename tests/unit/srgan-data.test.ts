import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import sharp from 'sharp';
import { mkdtemp, rm, writeFile, readFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '../../src/engine/index.js';
import * as T from '../../src/engine/testing.js';
import { useEngine } from '../helpers/gpu.js';
import { decodeImage, encodePng, readImage, readImageInfo } from '../../src/srgan/image/node.js';
import { ImageDecodeError, type HostImage } from '../../src/srgan/image/types.js';
import { imageToTensor, tensorToImage } from '../../src/srgan/image/tensor.js';
import { DatasetError, PhotoDataset, type HostBatch } from '../../src/srgan/data/dataset.js';
import { openImageFolder, readImageFolder } from '../../src/srgan/data/folder-node.js';
import { bicubicUpscale, makeLr } from '../../src/srgan/data/degrade.js';

useEngine();

/** A smooth-ish colour test pattern with an integer value per sample (exact in 8 bits). */
function pattern(width: number, height: number, channels: number, seed = 1): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + seed * 101 + ((i * i) % 13)) % 256;
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srgan-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('image decoding (odd and broken files)', () => {
  it('8-bit RGB PNG round-trips exactly', async () => {
    const px = pattern(5, 3, 3);
    const img = await decodeImage(
      await sharp(px, { raw: { width: 5, height: 3, channels: 3 } })
        .png()
        .toBuffer(),
    );
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([5, 3, 3, 8]);
    expect(Array.from(img.data, (v) => Math.round(v * 255))).toEqual(Array.from(px));
  });

  it('16-bit PNG keeps all 16 bits', async () => {
    const px = new Uint16Array([0, 65535, 1, 257, 40000, 12345]);
    const file = await sharp(px, { raw: { width: 2, height: 1, channels: 3 } })
      .pipelineColourspace('rgb16')
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const img = await decodeImage(file);
    expect(img.bitDepth).toBe(16);
    expect(Array.from(img.data, (v) => Math.round(v * 65535))).toEqual(Array.from(px));
  });

  it('grey, grey+alpha and RGBA keep their channels; encodePng writes them back as they were', async () => {
    for (const channels of [1, 2, 4] as const) {
      const px = pattern(4, 3, channels, channels);
      // sharp writes raw grey as RGB unless told the colour space.
      const file = sharp(px, { raw: { width: 4, height: 3, channels } }).toColourspace(channels <= 2 ? 'b-w' : 'srgb');
      const img = await decodeImage(await file.png().toBuffer());
      expect(img.channels).toBe(channels);
      expect(Array.from(img.data, (v) => Math.round(v * 255))).toEqual(Array.from(px));
      const again = await decodeImage(await encodePng(img));
      expect(again.channels).toBe(channels);
      expect(Array.from(again.data)).toEqual(Array.from(img.data));
    }
  });

  it('a 16-bit grey PNG is grey with 16 bits, and encodes back to 16 bits', async () => {
    const img: HostImage = { width: 3, height: 1, channels: 1, data: new Float32Array([0, 1234 / 65535, 1]) };
    const back = await decodeImage(await encodePng(img, { bitDepth: 16 }));
    expect([back.channels, back.bitDepth]).toEqual([1, 16]);
    expect(Array.from(back.data, (v) => Math.round(v * 65535))).toEqual([0, 1234, 65535]);
  });

  it('1×1 images decode (PNG, JPEG and WebP)', async () => {
    const raw = sharp(new Uint8Array([200, 100, 50]), { raw: { width: 1, height: 1, channels: 3 } });
    for (const bytes of [
      await raw.clone().png().toBuffer(),
      await raw.clone().jpeg().toBuffer(),
      await raw.clone().webp({ lossless: true }).toBuffer(),
    ]) {
      const img = await decodeImage(bytes);
      expect([img.width, img.height, img.channels]).toEqual([1, 1, 3]);
      expect(Math.abs(img.data[0] - 200 / 255)).toBeLessThan(0.05);
    }
  });

  it('truncated JPEG and PNG, garbage and missing files throw ImageDecodeError naming the file', async () => {
    const jpeg = await sharp(pattern(64, 48, 3), { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer();
    const png = await sharp(pattern(64, 48, 3), { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .toBuffer();
    await writeFile(join(dir, 'cut.jpg'), jpeg.subarray(0, jpeg.length >> 1));
    await writeFile(join(dir, 'cut.png'), png.subarray(0, png.length >> 1));
    await writeFile(join(dir, 'junk.png'), 'this is not an image');
    for (const f of ['cut.jpg', 'cut.png', 'junk.png', 'missing.png']) {
      const err = await readImage(join(dir, f)).catch((e) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect(err.message).toContain(f);
    }
    await expect(readImageInfo(Buffer.from('nope'), 'x.png')).rejects.toThrow(ImageDecodeError);
  });

  it('imageToTensor / tensorToImage: grey is repeated into RGB and comes back grey', async () => {
    const img: HostImage = { width: 3, height: 2, channels: 1, data: new Float32Array([0, 0.2, 0.4, 0.6, 0.8, 1]) };
    const t = imageToTensor(img);
    expect(t.shape).toEqual([1, 3, 2, 3]);
    const back = await tensorToImage(t, 1);
    t.dispose();
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });
});

/** Small photos with distinct content, written as PNGs in `sub`. */
async function writeFolder(sub: string, sizes: [number, number][]): Promise<string> {
  const d = join(dir, sub);
  await mkdir(d, { recursive: true });
  await Promise.all(
    sizes.map(([w, h], i) =>
      sharp(pattern(w, h, 3, i + 1), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(join(d, `img${i}.png`)),
    ),
  );
  return d;
}

const take = async (ds: PhotoDataset, n: number): Promise<HostBatch[]> => {
  const out: HostBatch[] = [];
  for (let i = 0; i < n; i++) out.push(await ds.next());
  return out;
};

describe('PhotoDataset', () => {
  const quiet = () => {};

  it('crops are deterministic per seed, lie inside their image, and match the pixels they name', async () => {
    const folder = await writeFolder('det', [
      [40, 30],
      [33, 50],
      [64, 64],
    ]);
    const opts = { crop: 16, batch: 4, seed: 7, warn: quiet };
    const a = await take(await openImageFolder(folder, opts), 3);
    const b = await take(await openImageFolder(folder, opts), 3);
    expect(a.map((x) => x.crops)).toEqual(b.map((x) => x.crops));
    expect(a.map((x) => Array.from(x.data))).toEqual(b.map((x) => Array.from(x.data)));
    const c = await take(await openImageFolder(folder, { ...opts, seed: 8 }), 3);
    expect(c.map((x) => x.crops)).not.toEqual(a.map((x) => x.crops));
    expect(a[0].shape).toEqual([4, 3, 16, 16]);
    // Re-cut each crop by hand from the decoded file.
    const images = await readImageFolder(folder, quiet);
    const flips = new Set<boolean>();
    for (const batch of a)
      batch.crops.forEach((s, b) => {
        const img = images[s.image];
        expect(s.x + 16).toBeLessThanOrEqual(img.width);
        expect(s.y + 16).toBeLessThanOrEqual(img.height);
        flips.add(s.flip);
        for (const [ch, r, k] of [
          [0, 0, 0],
          [1, 5, 9],
          [2, 15, 15],
          [0, 7, 3],
        ]) {
          const sx = s.x + (s.flip ? 15 - k : k);
          const want = img.data[((s.y + r) * img.width + sx) * 3 + ch];
          expect(batch.data[((b * 3 + ch) * 16 + r) * 16 + k]).toBeCloseTo(want, 6);
        }
      });
    expect(flips).toEqual(new Set([true, false]));
  });

  it('restore(state) continues exactly where the saved run stopped', async () => {
    const folder = await writeFolder('resume', [
      [48, 40],
      [60, 37],
    ]);
    const opts = { crop: 12, batch: 3, seed: 3, prefetch: 3, warn: quiet };
    const whole = await take(await openImageFolder(folder, opts), 7);
    const first = await openImageFolder(folder, opts);
    await take(first, 4);
    const saved = JSON.parse(JSON.stringify(first.state));
    expect(saved.batches).toBe(4);
    const resumed = await openImageFolder(folder, opts);
    resumed.restore(saved);
    const rest = await take(resumed, 3);
    expect(rest.map((x) => x.crops)).toEqual(whole.slice(4).map((x) => x.crops));
    expect(rest.map((x) => Array.from(x.data))).toEqual(whole.slice(4).map((x) => Array.from(x.data)));
    // The same dataset object can also be rewound.
    first.restore(saved);
    expect((await first.next()).crops).toEqual(whole[4].crops);
  });

  it('prefetch depth and decode timing do not change the batches', async () => {
    const imgs: HostImage[] = [0, 1, 2].map((i) => ({
      width: 30 + i,
      height: 28,
      channels: 3,
      bitDepth: 8,
      data: Float32Array.from(pattern(30 + i, 28, 3, i), (v) => v / 255),
      name: `m${i}`,
    }));
    // Loads that finish in reverse order of request, with random delays.
    const slowSources = imgs.map((img, i) => ({
      name: img.name!,
      width: img.width,
      height: img.height,
      load: () => new Promise<HostImage>((res) => setTimeout(() => res(img), 5 * (3 - i) + Math.random() * 10)),
    }));
    const eager = await take(PhotoDataset.fromImages(imgs, { crop: 8, batch: 5, seed: 11, prefetch: 1 }), 4);
    const slow = await take(new PhotoDataset(slowSources, { crop: 8, batch: 5, seed: 11, prefetch: 4, cacheBytes: 1 }), 4);
    expect(slow.map((x) => x.crops)).toEqual(eager.map((x) => x.crops));
    expect(slow.map((x) => Array.from(x.data))).toEqual(eager.map((x) => Array.from(x.data)));
  });

  it('undecodable and too-small images are skipped with a warning naming them', async () => {
    const folder = await writeFolder('mixed', [
      [40, 40],
      [10, 50],
    ]);
    await writeFile(join(folder, 'broken.jpg'), 'garbage');
    await writeFile(join(folder, 'notes.txt'), 'not an image, not even looked at');
    const warnings: string[] = [];
    const ds = await openImageFolder(folder, { crop: 16, batch: 2, seed: 1, warn: (m) => warnings.push(m) });
    expect(ds.sources.map((s) => s.name)).toEqual(['img0.png']);
    expect(warnings.some((w) => w.includes('broken.jpg'))).toBe(true);
    expect(warnings.some((w) => w.includes('img1.png') && w.includes('smaller'))).toBe(true);
    expect((await ds.next()).crops.every((c) => c.name === 'img0.png')).toBe(true);
  });

  it('a folder with no usable image is a DatasetError', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(openImageFolder(empty, { crop: 16, batch: 1, seed: 1 })).rejects.toThrow(DatasetError);
    await expect(openImageFolder(join(dir, 'nope'), { crop: 16, batch: 1, seed: 1 })).rejects.toThrow(/not found/);
    const bad = join(dir, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'a.png'), 'x');
    await expect(openImageFolder(bad, { crop: 16, batch: 1, seed: 1, warn: () => {} })).rejects.toThrow(/no usable image/);
    const small = await writeFolder('small', [[8, 8]]);
    await expect(openImageFolder(small, { crop: 16, batch: 1, seed: 1, warn: () => {} })).rejects.toThrow(/16×16/);
  });

  it('opens the bundled photo and face folders', async () => {
    const photos = await openImageFolder('data/photos/train', { crop: 96, batch: 2, seed: 1 });
    expect(photos.sources.length).toBeGreaterThanOrEqual(4);
    const faces = await openImageFolder('data/faces', { crop: 96, batch: 2, seed: 1 });
    expect(faces.sources.length).toBeGreaterThanOrEqual(19);
    const b = await faces.next();
    expect(b.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    const manifest = JSON.parse(await readFile('data/manifest.json', 'utf8')) as { out: string; licence: string }[];
    for (const s of faces.sources) expect(manifest.some((m) => m.out === `faces/${s.name}` && m.licence)).toBe(true);
  });
});

describe('degradation', () => {
  it('makeLr is the antialiased bicubic ×4 of the float64 reference', async () => {
    const [n, c, h, w] = [2, 3, 12, 20];
    const x = Float32Array.from({ length: n * c * h * w }, (_, i) => ((i * 7919) % 1000) / 1000);
    const hr = E.tensor(x, [n, c, h, w]);
    const lr = makeLr(hr);
    expect(lr.shape).toEqual([n, c, 3, 5]);
    const want = T.refResize(T.ref(x, [n, c, h, w]), 3, 5, { method: 'bicubic', antialias: true });
    const got = await lr.read();
    got.forEach((v, i) => expect(Math.abs(v - want.data[i])).toBeLessThan(1e-5));
    const up = bicubicUpscale(lr);
    expect(up.shape).toEqual([n, c, h, w]);
    const wantUp = T.refResize(T.ref(got, [n, c, 3, 5]), h, w, { method: 'bicubic' });
    (await up.read()).forEach((v, i) => expect(Math.abs(v - wantUp.data[i])).toBeLessThan(1e-5));
    [hr, lr, up].forEach((t) => t.dispose());
    expect(() => makeLr(E.zeros([1, 3, 10, 12]))).toThrow(/multiple of the scale 4/);
  });
});
