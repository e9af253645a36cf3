/**
 * `srgan upscale`'s options end to end, as a user runs them: separate processes on a 40×30 crop of
 * a bundled photo, the real default model, results checked by decoding the files written.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PngRowWriter } from '../../src/cli/png-stream.js';
import { decodeSamples } from '../../src/srgan/image/node.js';

const dir = mkdtempSync(join(tmpdir(), 'srgan-upscale-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tiny = join(dir, 'tiny.png');

beforeAll(async () => {
  await sharp('data/photos/heldout/chelsea.png').extract({ left: 100, top: 60, width: 40, height: 30 }).png().toFile(tiny);
  // A tree: a 16-bit PNG at the top, an RGBA WebP and a grey JPEG in a subfolder.
  mkdirSync(join(dir, 'tree/sub'), { recursive: true });
  const { data } = await sharp(tiny).raw().toBuffer({ resolveWithObject: true });
  const wide = Uint16Array.from(data, (v, i) => v * 257 + (i % 97)); // low bits that 8 bits would lose
  await sharp(wide, { raw: { width: 40, height: 30, channels: 3 } })
    .pipelineColourspace('rgb16')
    .toColourspace('rgb16')
    .png()
    .toFile(join(dir, 'tree/deep16.png'));
  await sharp(tiny).ensureAlpha(0.5).webp({ lossless: true }).toFile(join(dir, 'tree/sub/alpha.webp'));
  await sharp(tiny).greyscale().toColourspace('b-w').jpeg().toFile(join(dir, 'tree/sub/grey.jpg'));
});

const srgan = (...args: string[]) => spawnSync(process.execPath, ['bin/srgan.mjs', 'upscale', ...args], { encoding: 'utf8' });
const meta = async (path: string) => {
  const m = await sharp(path).metadata();
  return [m.format, m.width, m.height, m.channels, m.depth];
};
const allFiles = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();

describe('the row-by-row PNG writer', () => {
  it('writes every layout and depth losslessly, in strips of any height', async () => {
    const noise = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
    for (const channels of [1, 2, 3, 4] as const)
      for (const bitDepth of [8, 16] as const) {
        const width = 13,
          height = 7,
          max = bitDepth === 16 ? 65535 : 255,
          path = join(dir, `png-${channels}-${bitDepth}.png`);
        const values = Float32Array.from({ length: width * height * channels }, (_, i) => noise(i + channels));
        const png = new PngRowWriter(path, { width, height, channels, bitDepth });
        for (const [y, rows] of [
          [0, 3],
          [3, 1],
          [4, 3],
        ])
          await png.writeRows(values.subarray(y * width * channels, (y + rows) * width * channels), rows);
        await png.close();
        const got = await decodeSamples(path);
        expect([got.width, got.height, got.channels, got.bitDepth]).toEqual([width, height, channels, bitDepth]);
        expect([...got.samples]).toEqual(Array.from(values, (v) => Math.round(v * max)));
      }
  });
});

describe('srgan upscale, end to end', () => {
  it('-r --ext auto: mirrors the tree into a new folder, keeps formats, alpha, grey and 16 bits', async () => {
    const out = join(dir, 'made/x4');
    const r = srgan('-i', join(dir, 'tree'), '-o', out, '-r', '--ext', 'auto');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/upscaled 3 of 3 files into .*made\/x4 in/);
    expect(allFiles(out)).toEqual(['deep16_x4.png', 'sub/alpha_x4.webp', 'sub/grey_x4.jpg']); // no partial file left
    expect(await meta(join(out, 'deep16_x4.png'))).toEqual(['png', 160, 120, 3, 'ushort']);
    expect(await meta(join(out, 'sub/alpha_x4.webp'))).toEqual(['webp', 160, 120, 4, 'uchar']);
    expect(await meta(join(out, 'sub/grey_x4.jpg'))).toEqual(['jpeg', 160, 120, 1, 'uchar']);
    // 16 bits kept, not 8 bits widened: samples that are not multiples of 257.
    const { data } = await sharp(join(out, 'deep16_x4.png')).raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const samples = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    expect(samples.filter((v) => v % 257 !== 0).length).toBeGreaterThan(samples.length / 2);
  });

  it('-t and --tile-pad set the tiles (progress with percentage and ETA); --outscale is a Lanczos resize of the ×4 result', async () => {
    const a = srgan('-i', tiny, '-o', `${join(dir, 'a')}/`, '-t', '16', '--tile-pad', '8');
    expect(a.status, a.stderr).toBe(0);
    // 40×30 in cores of ≤ 16: 3 × 2 tiles; a non-TTY stderr gets plain lines.
    expect(a.stderr).toMatch(/upscale tiny\.png \(tiles\): 1\/6 \(16%\) ETA \d+s/);
    expect(a.stderr).toMatch(/\(tiles\): 6\/6 \(100%\)/);
    const b = srgan('-i', tiny, '-o', join(dir, 'b/x.png'), '-t', '16', '--tile-pad', '8', '--outscale', '2.5');
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^srgan upscale: default, ×4, resized to ×2\.5$/m);
    expect(b.stdout).toMatch(/\(40×30\) → .*b\/x\.png \(100×75\)/);
    const got = await sharp(join(dir, 'b/x.png')).raw().toBuffer();
    const want = await sharp(join(dir, 'a/tiny_x4.png')).resize({ width: 100, height: 75, fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
    expect(got.length).toBe(want.length);
    expect(got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0)).toBeLessThanOrEqual(1);
  });

  it('16-bit input into a JPEG: one warning that it is reduced to 8 bits', async () => {
    const r = srgan('-i', join(dir, 'tree/deep16.png'), '-o', join(dir, 'c.jpg'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/16 bits per sample; JPEG holds 8/g)).toHaveLength(1);
    expect(await meta(join(dir, 'c.jpg'))).toEqual(['jpeg', 160, 120, 3, 'uchar']);
  });
});
