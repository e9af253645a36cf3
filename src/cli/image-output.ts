/**
 * Output files of `srgan upscale`: the format follows the extension (PNG, JPEG, WebP), the size is
 * checked against the format's limit before any work, and a file is written whole or not at all.
 * The upscaled pixels arrive in strips and are streamed into a PNG as they come (png-stream.ts), so
 * the whole output is never held. JPEG, WebP and --outscale then convert that PNG with libvips,
 * which reads it sequentially (WebP's encoder alone needs the whole picture: libwebp works that way).
 */
import sharp, { type Sharp } from 'sharp';
import { rename, rm, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { encodePng } from '../srgan/image/node.js';
import { toUint8, type Channels, type HostImage } from '../srgan/image/types.js';
import type { OutputStrip } from '../srgan/serve/upscale.js';
import { PngRowWriter } from './png-stream.js';

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

/** The 8-bit JPEG or WebP encoder on a sharp pipeline of 8-bit pixels. */
function lossy(pipeline: Sharp, format: 'jpeg' | 'webp', channels: number): Sharp {
  pipeline = pipeline.toColourspace(channels <= 2 ? 'b-w' : 'srgb');
  // JPEG has no alpha: composite on white, as an image viewer shows a transparent picture.
  return format === 'jpeg' ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: QUALITY }) : pipeline.webp({ quality: QUALITY });
}

export async function encodeImage(img: HostImage, format: OutputFormat): Promise<Uint8Array> {
  if (format === 'png') return encodePng(img);
  const { width, height, channels } = img;
  return lossy(sharp(toUint8(img), { raw: { width, height, channels } }), format, channels).toBuffer();
}

/** The file being written, to be renamed when complete (atomic), and the error that names the final path. */
const partialPath = (path: string) => `${path}.${process.pid}.partial`;
const writeError = (path: string, e: unknown) => new Error(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);

export interface StreamedOutput {
  path: string;
  format: OutputFormat;
  /** The upscaled image's size and channels, as strips arrive. */
  width: number;
  height: number;
  channels: Channels;
  /** 16 keeps a 16-bit input's depth (PNG only). */
  bitDepth: 8 | 16;
  /** The file's size when it differs (--outscale): resized from the upscaled image with Lanczos-3. */
  resizeTo?: { width: number; height: number };
}

/** An output written as strips arrive: `write` each strip top to bottom, then `finish`; `abort` on failure. */
export interface StripSink {
  write(strip: OutputStrip): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A PNG at the final path straight from the strips, or (another format, another size) a fast
 * intermediate PNG beside the output that libvips converts at the end, then deletes.
 */
export function streamOutput(o: StreamedOutput): StripSink {
  const direct = o.format === 'png' && !o.resizeTo;
  const tmp = partialPath(o.path),
    staged = direct ? tmp : `${tmp}.png`;
  const depth = o.format === 'png' ? o.bitDepth : 8;
  const png = new PngRowWriter(staged, { width: o.width, height: o.height, channels: o.channels, bitDepth: depth, level: direct ? 6 : 1 });
  const cleanUp = () => Promise.all([rm(tmp, { force: true }), rm(staged, { force: true })]);
  return {
    write: (strip) =>
      png.writeRows(strip.data, strip.height).catch((e) => {
        throw writeError(o.path, e);
      }),
    async finish() {
      try {
        await png.close();
        if (!direct) {
          let pipeline = sharp(staged, { sequentialRead: true, limitInputPixels: false });
          const space = o.channels <= 2 ? (depth === 16 ? 'grey16' : 'b-w') : depth === 16 ? 'rgb16' : 'srgb';
          if (depth === 16) pipeline = pipeline.pipelineColourspace(space);
          if (o.resizeTo) pipeline = pipeline.resize({ ...o.resizeTo, fit: 'fill', kernel: 'lanczos3' });
          pipeline = o.format === 'png' ? pipeline.toColourspace(space).png() : lossy(pipeline, o.format, o.channels);
          await pipeline.toFile(tmp);
          await rm(staged, { force: true });
        }
        await rename(tmp, o.path);
      } catch (e) {
        await cleanUp();
        throw writeError(o.path, e);
      }
    },
    async abort() {
      await png.abort();
      await cleanUp();
    },
  };
}

/** Encode and write atomically: a partial file never has the final name, and errors name the final path. */
export async function writeImage(path: string, img: HostImage, format: OutputFormat): Promise<void> {
  const bytes = await encodeImage(img, format);
  const tmp = partialPath(path);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeError(path, e);
  }
}
