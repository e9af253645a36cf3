/**
 * The training data that ships with the app: the bundled photos (data/photos/train) and face crops
 * (data/faces) as training images, their held-out sets for the sample grids. Vite copies them as
 * files (see data/MANIFEST.md for their licences).
 */
/// <reference types="vite/client" />
import type { ImageInput } from './train-protocol.js';

const asInputs = (urls: Record<string, string>): ImageInput[] =>
  Object.entries(urls).sort(([a], [b]) => a.localeCompare(b)).map(([path, url]) => ({ name: path.replace(/^\/data\//, ''), url }));

export const bundledTraining = asInputs(import.meta.glob(['/data/photos/train/*.{jpg,png,webp}', '/data/faces/*.{jpg,png,webp}'],
  { query: '?url', import: 'default', eager: true }) as Record<string, string>);

export const bundledHeldout = asInputs(import.meta.glob(['/data/faces/heldout/*.{jpg,png,webp}', '/data/photos/heldout/*.{jpg,png,webp}'],
  { query: '?url', import: 'default', eager: true }) as Record<string, string>);
