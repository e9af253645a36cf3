/**
 * Multi-scale training copies of a photo folder (EDSR/RCAN-style scale augmentation), Node: every
 * photo is downscaled (Lanczos, antialiased) so that its long side is each of the given sizes, and
 * written as lossless PNG named `NAME@SIZE.png`. Why: wallpaper-sized photos (2.5–5 K px) are mostly
 * smooth at the pixel level, so a 96-px crop of one rarely holds texture; downscaled copies have the
 * detail density of ordinary photos, which is what a ×4 model is asked to restore. A size at or
 * above a photo's own long side is skipped (no upscaling: interpolated pixels are not a target).
 * Used by scripts/multiscale-photos.ts (and so by scripts/fetch-photos.sh).
 */
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { listImageFiles } from '../image/node.js';
import { ConfigError, DataError } from '../errors.js';

export const DEFAULT_LONG_SIDES = [1280, 896, 640] as const;

export interface MultiscaleResult {
  photos: number;
  /** Paths of the images written. */
  written: string[];
}

export async function writeMultiscaleCopies(inDir: string, outDir: string, longSides: readonly number[] = DEFAULT_LONG_SIDES): Promise<MultiscaleResult> {
  if (!longSides.length || longSides.some((n) => !Number.isInteger(n) || n < 1))
    throw new ConfigError(`multi-scale copies: long sides must be positive integers, got ${longSides.join(', ')}`);
  const files = await listImageFiles(inDir);
  if (!files.length) throw new DataError(`${inDir} holds no PNG/JPEG/WebP photo`);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const src of files) {
    const { width = 0, height = 0 } = await sharp(src).metadata();
    for (const long of longSides) {
      if (long >= Math.max(width, height)) continue;
      const out = join(outDir, `${basename(src, extname(src))}@${long}.png`);
      await sharp(src).resize({ width: long, height: long, fit: 'inside', kernel: 'lanczos3' }).png({ compressionLevel: 3 }).toFile(out);
      written.push(out);
    }
  }
  return { photos: files.length, written };
}
