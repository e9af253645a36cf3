/**
 * The host-side image every SRGAN module passes around: decoded pixels as float32 in [0, 1],
 * interleaved (row-major, channels last, as decoders produce them). The channel count records
 * what the file held, so that upscaling can give back what it was given:
 *   1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA.
 * Decoding lives in node.ts (sharp) and browser.ts (createImageBitmap); neither leaks into this file,
 * so everything built on it runs in both.
 */
import { DataError } from '../errors.js';

export type Channels = 1 | 2 | 3 | 4;

export interface HostImage {
  width: number;
  height: number;
  channels: Channels;
  /** width · height · channels values in [0, 1], interleaved: data[(y·width + x)·channels + c]. */
  data: Float32Array;
  /** Bits per sample in the source file (8 or 16), for information; data is always float32. */
  bitDepth?: number;
  /** File name or label, for messages. */
  name?: string;
}

/** An image file that could not be decoded (corrupt, truncated, unsupported format). */
export class ImageDecodeError extends DataError {
  override name = 'ImageDecodeError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot decode image "${file}": ${reason}`);
  }
}

/** Pixel data or sizes that do not describe an image (before anything reaches the GPU). */
export class ImageShapeError extends DataError {
  override name = 'ImageShapeError';
}

export const hasAlpha = (img: Pick<HostImage, 'channels'>): boolean => img.channels === 2 || img.channels === 4;
export const isGrey = (img: Pick<HostImage, 'channels'>): boolean => img.channels <= 2;

/** Throws ImageShapeError unless the fields describe a consistent image. */
export function checkImage(img: HostImage): HostImage {
  const { width, height, channels, data } = img;
  const where = img.name ? ` (${img.name})` : '';
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ImageShapeError(`image${where}: size ${width}×${height} must be positive integers`);
  if (![1, 2, 3, 4].includes(channels)) throw new ImageShapeError(`image${where}: ${channels} channels (expected 1 to 4)`);
  if (data.length !== width * height * channels) throw new ImageShapeError(`image${where}: ${data.length} values for ${width}×${height}×${channels}`);
  return img;
}

/** Build a HostImage from integer samples (8- or 16-bit decoders). */
export function fromIntegerSamples(
  samples: ArrayLike<number>,
  width: number,
  height: number,
  channels: Channels,
  bitDepth: 8 | 16,
  name?: string,
): HostImage {
  const max = bitDepth === 16 ? 65535 : 255;
  const data = new Float32Array(samples.length);
  for (let i = 0; i < data.length; i++) data[i] = samples[i] / max;
  return checkImage({ width, height, channels, data, bitDepth, name });
}

/** Samples rounded to 8 bits (what writing a PNG does), clamped to [0, 255]. */
export function toUint8(img: HostImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(img.data[i] * 255);
  return out;
}

/** The same image after an 8-bit round trip (as if saved and reloaded). */
export function quantize8(img: HostImage): HostImage {
  const q = toUint8(img);
  const data = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) data[i] = q[i] / 255;
  return { ...img, data, bitDepth: 8 };
}

/**
 * Planar RGB [3, H, W] (the NCHW layout tensors use). Grey is repeated into the three channels;
 * alpha is left out (it is handled on its own: see alphaPlane).
 */
export function toRgbPlanes(img: HostImage): Float32Array {
  const { width: w, height: h, channels: ch, data } = img;
  const n = w * h;
  const out = new Float32Array(3 * n);
  const grey = ch <= 2;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = data[i * ch + (grey ? 0 : c)];
  return out;
}

/** The alpha channel as one plane [H, W], or null when the image has none. */
export function alphaPlane(img: HostImage): Float32Array | null {
  if (!hasAlpha(img)) return null;
  const n = img.width * img.height,
    ch = img.channels;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = img.data[i * ch + ch - 1];
  return out;
}

/**
 * Interleave planar RGB (and an optional alpha plane) into an image with `channels` channels.
 * For grey output the three planes are averaged: a model fed a grey image returns near-equal
 * channels, and the mean is the least-squares grey value.
 */
export function fromRgbPlanes(
  rgb: Float32Array,
  width: number,
  height: number,
  channels: Channels,
  alpha: Float32Array | null = null,
  name?: string,
): HostImage {
  const n = width * height;
  if (rgb.length !== 3 * n) throw new ImageShapeError(`fromRgbPlanes: ${rgb.length} values for 3×${height}×${width}`);
  const wantAlpha = channels === 2 || channels === 4;
  if (wantAlpha && (!alpha || alpha.length !== n))
    throw new ImageShapeError(`fromRgbPlanes: ${channels} channels need an alpha plane of ${n} values`);
  const data = new Float32Array(n * channels);
  const colours = wantAlpha ? channels - 1 : channels;
  for (let i = 0; i < n; i++) {
    if (colours === 1) data[i * channels] = (rgb[i] + rgb[n + i] + rgb[2 * n + i]) / 3;
    else for (let c = 0; c < 3; c++) data[i * channels + c] = rgb[c * n + i];
    if (wantAlpha) data[i * channels + channels - 1] = alpha![i];
  }
  return { width, height, channels, data, name };
}

/** Clamp every sample into [0, 1] in place (model outputs overshoot; bicubic rings). */
export function clampUnit(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = a[i] < 0 ? 0 : a[i] > 1 ? 1 : a[i];
  return a;
}
