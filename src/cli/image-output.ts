/**
 * Output files of `srgan upscale`: the format follows the extension (PNG, JPEG, WebP), the size is
 * checked against the format's limit before any work, and a file is written whole or not at all.
 */
import sharp from 'sharp';
import { rename, rm, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { encodePng } from '../srgan/image/node.js';
import { toUint8, type HostImage } from '../srgan/image/types.js';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

const BY_EXTENSION: Record<string, OutputFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };
export const OUTPUT_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp'] as const;

/** Largest side each format allows (libwebp: 16383; JPEG's header field: 65535; PNG's: 2^31 - 1). */
const MAX_SIDE: Record<OutputFormat, number> = { png: 2 ** 31 - 1, jpeg: 65_535, webp: 16_383 };

/** The format a path's extension asks for, or undefined. */
export function formatOf(path: string): OutputFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

/** Why an image of this size cannot be written in this format, or undefined when it can. */
export function sizeProblem(format: OutputFormat, width: number, height: number): string | undefined {
  const max = MAX_SIDE[format];
  if (width > max || height > max) return `${width}×${height} is larger than ${format.toUpperCase()} allows (${max} px a side); choose PNG`;
  return undefined;
}

// JPEG quality 95 as Real-ESRGAN's default (OpenCV's imwrite); WebP at the same nominal quality.
const QUALITY = 95;

export async function encodeImage(img: HostImage, format: OutputFormat): Promise<Uint8Array> {
  if (format === 'png') return encodePng(img);
  const { width, height, channels } = img;
  let pipeline = sharp(toUint8(img), { raw: { width, height, channels } }).toColourspace(channels <= 2 ? 'b-w' : 'srgb');
  // JPEG has no alpha: composite on white, as an image viewer shows a transparent picture.
  if (format === 'jpeg') pipeline = pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: QUALITY });
  else pipeline = pipeline.webp({ quality: QUALITY });
  return pipeline.toBuffer();
}

/** Encode and write atomically: a partial file never has the final name, and errors name the final path. */
export async function writeImage(path: string, img: HostImage, format: OutputFormat): Promise<void> {
  const bytes = await encodeImage(img, format);
  const tmp = `${path}.${process.pid}.partial`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
