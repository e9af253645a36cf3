/**
 * The training data that ships with the app: the bundled photos (data/photos/train) and face crops
 * (data/faces) as training images, their held-out sets for the sample grids. Vite copies them as
 * files (see data/MANIFEST.md for their licences). The Upscale view offers a few photos to try.
 */
/// <reference types="vite/client" />
import type { ImageInput } from './train-protocol.js';
import manifest from '../../data/manifest.json';

const asInputs = (urls: Record<string, string>): ImageInput[] =>
  Object.entries(urls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, url]) => ({ name: path.replace(/^\/data\//, ''), url }));

export const bundledTraining = asInputs(
  import.meta.glob(['/data/photos/train/*.{jpg,png,webp}', '/data/faces/*.{jpg,png,webp}'], {
    query: '?url',
    import: 'default',
    eager: true,
  }) as Record<string, string>,
);

export const bundledHeldout = asInputs(
  import.meta.glob(['/data/faces/heldout/*.{jpg,png,webp}', '/data/photos/heldout/*.{jpg,png,webp}'], {
    query: '?url',
    import: 'default',
    eager: true,
  }) as Record<string, string>,
);

/** A bundled photo offered in the Upscale view to try, with its source and licence (data/MANIFEST.md). */
export interface SamplePhoto {
  name: string;
  url: string;
  width: number;
  height: number;
  author: string;
  licence: string;
}

type ManifestEntry = { out: string; author: string; licence: string; width: number; height: number };

/**
 * The held-out photos (none was trained on) and the Hubble deep field, which at 1000×872 is the
 * large one: ×4 it is 14 megapixels, enough to see the size warning, the ETA and Cancel at work.
 */
const SAMPLE_FILES = import.meta.glob(['/data/photos/heldout/*.{jpg,png,webp}', '/data/photos/train/hubble_deep_field.jpg'], {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export const samplePhotos: SamplePhoto[] = (manifest as ManifestEntry[])
  .filter((m) => SAMPLE_FILES[`/data/${m.out}`])
  .map((m) => ({
    name: m.out.slice(m.out.lastIndexOf('/') + 1),
    url: SAMPLE_FILES[`/data/${m.out}`],
    width: m.width,
    height: m.height,
    author: m.author,
    licence: m.licence.replace(/ \(https?:[^)]*\)/, ''),
  }))
  .sort((a, b) => a.width * a.height - b.width * b.height);
