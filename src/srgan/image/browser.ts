/**
 * Image files in the browser (and workers): decode with createImageBitmap onto an OffscreenCanvas,
 * encode PNG with convertToBlob. Canvas pixels are 8-bit RGBA, so 16-bit files lose their low byte
 * here (Node keeps them), semi-transparent pixels can be off by 1/255 (canvases store premultiplied
 * alpha), and grey/alpha are recovered from the pixels: an image whose alpha is 255
 * everywhere has no alpha channel, and one whose R, G and B agree everywhere is grey.
 */
import { checkImage, fromIntegerSamples, ImageDecodeError, toUint8, type Channels, type HostImage } from './types.js';

/** Decode a Blob/File (PNG, JPEG, WebP, anything the browser reads). Throws ImageDecodeError. */
export async function decodeImageBlob(blob: Blob, name = (blob as File).name ?? 'image'): Promise<HostImage> {
  let bitmap: ImageBitmap;
  try {
    // No colour-space conversion and no premultiplication: the file's own values, as Node reads them.
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new ImageDecodeError(name, (e as Error).message || 'the browser could not decode it');
  }
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageDecodeError(name, 'no 2d canvas context');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return fromRgba(rgba, width, height, name);
}

/** Drop the channels the pixels do not use (see the file comment). */
function fromRgba(rgba: Uint8ClampedArray, width: number, height: number, name: string): HostImage {
  let opaque = true,
    grey = true;
  for (let i = 0; i < rgba.length && (opaque || grey); i += 4) {
    if (rgba[i + 3] !== 255) opaque = false;
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) grey = false;
  }
  const channels = ((grey ? 1 : 3) + (opaque ? 0 : 1)) as Channels;
  const n = width * height;
  const samples = new Uint8Array(n * channels);
  const keep = grey ? (opaque ? [0] : [0, 3]) : opaque ? [0, 1, 2] : [0, 1, 2, 3];
  for (let i = 0; i < n; i++) for (let k = 0; k < channels; k++) samples[i * channels + k] = rgba[i * 4 + keep[k]];
  return fromIntegerSamples(samples, width, height, channels, 8, name);
}

/** Encode as an 8-bit PNG Blob through a canvas (grey is written as RGB with equal channels). */
export async function encodePngBlob(img: HostImage): Promise<Blob> {
  checkImage(img);
  const { width, height, channels } = img;
  const q = toUint8(img);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = q.subarray(i * channels, (i + 1) * channels);
    const [r, g, b] = channels <= 2 ? [s[0], s[0], s[0]] : [s[0], s[1], s[2]];
    rgba.set([r, g, b, channels === 2 || channels === 4 ? s[channels - 1] : 255], i * 4);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('encodePngBlob: no 2d canvas context');
  ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
