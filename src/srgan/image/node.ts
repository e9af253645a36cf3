/**
 * Image files in Node, through sharp (libvips; decoding runs on libuv's thread pool, off the JS thread).
 * PNG (8/16-bit, grey, palette, alpha), JPEG and WebP in; PNG out. EXIF orientation is applied, so a
 * phone photo comes out the way it is shown. Colour spaces other than sRGB/grey (CMYK JPEGs) are
 * converted to sRGB.
 */
import sharp from 'sharp';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { checkImage, fromIntegerSamples, ImageDecodeError, toUint8, type Channels, type HostImage } from './types.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

export interface ImageInfo {
  width: number;
  height: number;
  channels: Channels;
  bitDepth: 8 | 16;
}

const GREY_SPACES = new Set(['b-w', 'grey16']);

/** Size and layout from the header only (cheap); throws ImageDecodeError. Sizes are after EXIF rotation. */
export async function readImageInfo(input: string | Uint8Array, name = typeof input === 'string' ? input : 'image'): Promise<ImageInfo> {
  let m: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    m = await sharp(input).metadata();
  } catch (e) {
    throw new ImageDecodeError(name, (e as Error).message);
  }
  if (!m.width || !m.height) throw new ImageDecodeError(name, 'no image size in the header');
  const grey = GREY_SPACES.has(m.space ?? '');
  const channels = ((grey ? 1 : 3) + (m.hasAlpha ? 1 : 0)) as Channels;
  const size = m.autoOrient ?? { width: m.width, height: m.height };
  return { width: size.width, height: size.height, channels, bitDepth: m.depth === 'ushort' ? 16 : 8 };
}

/** Decoded pixels as the file holds them: interleaved integer samples, 8 or 16 bits. */
export interface DecodedSamples {
  width: number;
  height: number;
  channels: Channels;
  bitDepth: 8 | 16;
  samples: Uint8Array | Uint16Array;
}

/**
 * Decode a file (path) or encoded bytes to integer samples with the file's channels and depth: a
 * quarter (8-bit) or half (16-bit) of a float image's memory, for streaming work on large photos.
 * Truncated or corrupt data throws ImageDecodeError naming the file; nothing is returned half-decoded.
 * `known` is the header as readImageInfo gave it earlier (a caller that planned from it), so the file
 * is not opened a second time for it.
 */
export async function decodeSamples(
  input: string | Uint8Array,
  name = typeof input === 'string' ? input : 'image',
  known?: ImageInfo,
): Promise<DecodedSamples> {
  const info = known ?? (await readImageInfo(input, name));
  const wide = info.bitDepth === 16;
  // libvips' grey conversion drops alpha, so grey + alpha is decoded as RGBA and narrowed after.
  const grey = info.channels === 1;
  try {
    // failOn 'warning' turns libjpeg/libpng's "premature end" warnings into errors instead of grey fill.
    const { data, info: out } = await sharp(input, { failOn: 'warning' })
      .autoOrient()
      .toColourspace(grey ? (wide ? 'grey16' : 'b-w') : wide ? 'rgb16' : 'srgb')
      .raw({ depth: wide ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const decoded = info.channels === 2 ? 4 : info.channels;
    if (out.channels !== decoded) throw new Error(`decoded ${out.channels} channels where the header promised ${decoded}`);
    let samples: Uint8Array | Uint16Array = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
    if (info.channels === 2) samples = keepChannels(samples, [0, 3]);
    return { width: out.width, height: out.height, channels: info.channels, bitDepth: info.bitDepth, samples };
  } catch (e) {
    throw new ImageDecodeError(name, (e as Error).message);
  }
}

/**
 * Decode a file (path) or encoded bytes into a HostImage. Truncated or corrupt data throws
 * ImageDecodeError naming the file; nothing is returned half-decoded.
 */
export async function decodeImage(input: string | Uint8Array, name = typeof input === 'string' ? input : 'image'): Promise<HostImage> {
  const d = await decodeSamples(input, name);
  return fromIntegerSamples(d.samples, d.width, d.height, d.channels, d.bitDepth, name);
}

/**
 * Decode straight to interleaved RGB integer samples (grey expanded, alpha dropped), 8 or 16 bits as
 * the file is: the training cache's format, with no float pass over a photo of many megapixels.
 */
export async function decodeRgbSamples(path: string): Promise<{ width: number; height: number; samples: Uint8Array | Uint16Array; max: number }> {
  const bytes = await readFile(path).catch((e: Error) => {
    throw new ImageDecodeError(path, e.message);
  });
  const info = await readImageInfo(bytes, path);
  const wide = info.bitDepth === 16;
  try {
    const { data, info: out } = await sharp(bytes, { failOn: 'warning' })
      .autoOrient()
      .removeAlpha()
      .toColourspace(wide ? 'rgb16' : 'srgb')
      .raw({ depth: wide ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== 3) throw new Error(`decoded ${out.channels} channels where RGB was asked for`);
    const samples = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { width: out.width, height: out.height, samples, max: wide ? 65535 : 255 };
  } catch (e) {
    throw new ImageDecodeError(path, (e as Error).message);
  }
}

/** Interleaved samples with only the listed channels of each pixel (RGBA → grey + alpha). */
function keepChannels<T extends Uint8Array | Uint16Array>(src: T, keep: number[]): T {
  const stride = 4,
    n = src.length / stride;
  const out = new (src.constructor as new (n: number) => T)(n * keep.length);
  for (let i = 0; i < n; i++)
    keep.forEach((c, k) => {
      out[i * keep.length + k] = src[i * stride + c];
    });
  return out;
}

/** Encode as PNG (8-bit by default, 16-bit on request), keeping grey and alpha as they are. */
export async function encodePng(img: HostImage, opts: { bitDepth?: 8 | 16 } = {}): Promise<Uint8Array> {
  checkImage(img);
  const { width, height, channels } = img;
  const grey = channels <= 2;
  if (opts.bitDepth === 16) {
    const s = new Uint16Array(img.data.length);
    for (let i = 0; i < s.length; i++) s[i] = Math.round(Math.min(Math.max(img.data[i], 0), 1) * 65535);
    const space = grey ? 'grey16' : 'rgb16';
    return sharp(s, { raw: { width, height, channels } }).pipelineColourspace(space).toColourspace(space).png().toBuffer();
  }
  return sharp(toUint8(img), { raw: { width, height, channels } })
    .toColourspace(grey ? 'b-w' : 'srgb')
    .png()
    .toBuffer();
}

/** Write a PNG atomically (a partial file never has the final name). */
export async function writePng(path: string, img: HostImage, opts: { bitDepth?: 8 | 16 } = {}): Promise<void> {
  const bytes = await encodePng(img, opts);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/** Image files directly in `dir` (not recursive), sorted by name so every run sees the same order. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return (
    entries
      // Symlinks count (scripts/fetch-photos.sh links every photo into one folder); a dangling one fails to decode later.
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
      .map((e) => join(dir, e.name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  );
}

/** Decode a file and label it with its base name. */
export async function readImage(path: string): Promise<HostImage> {
  const img = await decodeImage(
    await readFile(path).catch((e: Error) => {
      throw new ImageDecodeError(path, e.message);
    }),
    path,
  );
  img.name = basename(path);
  return img;
}
