/** Multi-scale training copies: sizes, aspect, no upscaling, lossless output, clear errors. */
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeMultiscaleCopies } from '../../src/srgan/data/multiscale-node.js';

const noise = (w: number, h: number) => {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7919) % 251;
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
};

describe('multi-scale photo copies', () => {
  it('downscales each photo to every long side below its own, keeping the aspect ratio', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'multiscale-'));
    const src = join(dir, 'in'),
      out = join(dir, 'out');
    await mkdir(src);
    await noise(400, 300).jpeg().toFile(join(src, 'wide.jpg'));
    await noise(150, 250).png().toFile(join(src, 'tall.png'));
    await writeFile(join(src, 'notes.txt'), 'not a photo');
    const r = await writeMultiscaleCopies(src, out, [320, 200]);
    expect(r.photos).toBe(2);
    expect((await readdir(out)).sort()).toEqual(['tall@200.png', 'wide@200.png', 'wide@320.png']);
    const size = async (f: string) => {
      const m = await sharp(join(out, f)).metadata();
      return [m.width, m.height, m.format];
    };
    expect(await size('wide@320.png')).toEqual([320, 240, 'png']);
    expect(await size('wide@200.png')).toEqual([200, 150, 'png']);
    expect(await size('tall@200.png')).toEqual([120, 200, 'png']);
  });

  it('rejects a folder with no photo and bad sizes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'multiscale-empty-'));
    await expect(writeMultiscaleCopies(dir, join(dir, 'out'))).rejects.toThrow(/holds no PNG\/JPEG\/WebP photo/);
    await expect(writeMultiscaleCopies(dir, join(dir, 'out'), [0])).rejects.toThrow(/positive integers/);
  });
});
