/**
 * The upscaled image as a file in the format the user picked. PNG goes through the library's
 * encoder (lossless, keeps alpha); JPEG and WebP through the canvas encoder at quality 0.92, the
 * browsers' own default for JPEG. JPEG has no alpha: transparent pixels come out on black.
 */
import { encodePngBlob } from '../srgan/image/browser.js';
import { toUint8, type HostImage } from '../srgan/image/types.js';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export const OUTPUT_FORMATS: readonly { format: OutputFormat; label: string; ext: string }[] = [
  { format: 'png', label: 'PNG (lossless)', ext: 'png' },
  { format: 'jpeg', label: 'JPEG (quality 92, no transparency)', ext: 'jpg' },
  { format: 'webp', label: 'WebP (quality 92)', ext: 'webp' },
];

export async function encodeImage(img: HostImage, format: OutputFormat): Promise<Blob> {
  if (format === 'png') return encodePngBlob(img);
  const { width, height, channels } = img;
  const q = toUint8(img),
    rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels,
      grey = channels <= 2;
    rgba[i * 4] = q[s];
    rgba[i * 4 + 1] = q[grey ? s : s + 1];
    rgba[i * 4 + 2] = q[grey ? s : s + 2];
    rgba[i * 4 + 3] = channels === 2 || channels === 4 ? q[s + channels - 1] : 255;
  }
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({ type: `image/${format}`, quality: 0.92 });
}
