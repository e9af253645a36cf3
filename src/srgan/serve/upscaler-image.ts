/**
 * What `createUpscaler().upscale` takes and gives. Everywhere: an ImageData-shaped
 * `{ data, width, height }` of RGBA bytes (a canvas's ImageData, or sharp's `.ensureAlpha().raw()`).
 * In a page also anything `createImageBitmap` reads (HTMLImageElement, ImageBitmap, canvas, Blob)
 * and a URL to fetch. The result is ImageData (a plain ImageData-shaped object where the platform
 * has no ImageData class, as in Node).
 */
import { ImageShapeError, type HostImage } from '../image/types.js';

export interface ImageDataLike {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

export type UpscalerInput = ImageDataLike | ImageBitmapSource | URL | string;

const isImageDataLike = (x: unknown): x is { data: unknown; width: unknown; height: unknown } =>
  typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x;

const inPage = () => typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function';

/** RGBA bytes → the host image upscaleImage takes: RGB when every pixel is opaque (alpha then needs no work). */
export function hostImageFromRgba(img: ImageDataLike, name = 'image'): HostImage {
  const { data, width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ImageShapeError(`upscale: ${name} is ${width}×${height}; width and height must be positive integers`);
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array))
    throw new ImageShapeError(
      `upscale: ${name}.data must be RGBA bytes (Uint8ClampedArray or Uint8Array), got ${Object.prototype.toString.call(data).slice(8, -1)}`,
    );
  if (data.length !== width * height * 4)
    throw new ImageShapeError(`upscale: ${name} has ${data.length} bytes; ${width}×${height} RGBA needs ${width * height * 4}`);
  let opaque = true;
  for (let i = 3; i < data.length && opaque; i += 4) opaque = data[i] === 255;
  const channels = opaque ? 3 : 4,
    n = width * height;
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = data[i * 4 + c] / 255;
  return { width, height, channels, data: out, bitDepth: 8, name };
}

/** The upscaled host image (RGB or RGBA in [0, 1]) as RGBA bytes. */
export function rgbaFromHostImage(img: HostImage): ImageDataLike & { data: Uint8ClampedArray } {
  const { width, height, channels } = img,
    n = width * height;
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.round(img.data[i * channels + (channels >= 3 ? c : 0)] * 255);
    data[i * 4 + 3] = channels === 2 || channels === 4 ? Math.round(img.data[i * channels + channels - 1] * 255) : 255;
  }
  return typeof ImageData === 'function' ? new ImageData(data, width, height) : { data, width, height };
}

/** Any accepted input → RGBA bytes. Errors name what was given and what is accepted. */
export async function readInput(image: UpscalerInput): Promise<ImageDataLike> {
  if (isImageDataLike(image) && !(typeof HTMLCanvasElement === 'function' && image instanceof HTMLCanvasElement)) return image as ImageDataLike;
  if (!inPage()) {
    throw new ImageShapeError(
      'upscale: outside a page the image must be ImageData-shaped { data, width, height } with RGBA bytes ' +
        `(e.g. from sharp: .ensureAlpha().raw()), got ${describe(image)}`,
    );
  }
  let source: ImageBitmapSource;
  if (typeof image === 'string' || image instanceof URL) {
    const res = await fetch(image);
    if (!res.ok) throw new ImageShapeError(`upscale: fetch ${String(image)}: HTTP ${res.status}`);
    source = await res.blob();
  } else if (typeof HTMLImageElement === 'function' && image instanceof HTMLImageElement) {
    await image.decode(); // an <img> still loading has no pixels yet
    source = image;
  } else source = image as ImageBitmapSource;
  let bitmap: ImageBitmap;
  try {
    // The file's own values: no colour-space conversion, no premultiplied alpha.
    bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new ImageShapeError(`upscale: cannot read the image (${describe(image)}): ${(e as Error).message}`);
  }
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageShapeError('upscale: no 2d canvas context to read the image');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return ctx.getImageData(0, 0, width, height);
}

function describe(x: unknown): string {
  if (x === null || typeof x !== 'object') return typeof x === 'string' ? `the string "${x.slice(0, 60)}"` : String(x);
  return x.constructor?.name ?? 'an object';
}
