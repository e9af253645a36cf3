/**
 * Node only: a PhotoDataset over a folder of PNG/JPEG/WebP files (not recursive, sorted by name).
 * Every file is decoded once on opening, so a corrupt or truncated file is found (and skipped with a
 * warning that names it) before training starts, never in the middle of a run.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeRgbSamples, listImageFiles, readImage } from '../image/node.js';
import type { HostImage } from '../image/types.js';
import { DatasetError, DEFAULT_CACHE_BYTES, PhotoDataset, type DatasetOptions, type ImageSource } from './dataset.js';
import type { PackedRgb } from './pixel-cache.js';

/** Image files in `dir`, or a DatasetError when the folder is missing or holds none. */
async function imageFilesIn(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new DatasetError(`image folder not found: ${dir}`);
  const files = await listImageFiles(dir);
  if (!files.length) throw new DatasetError(`no PNG, JPEG or WebP file in ${dir}`);
  return files;
}

/**
 * Decode the image files in `dir` one after another, handing each to `use` (so only one decoded
 * image at a time need be held); files that fail are reported through `warn` and left out.
 */
async function decodeEach(dir: string, warn: (m: string) => void, use: (path: string, image: HostImage) => void): Promise<void> {
  const files = await imageFilesIn(dir);
  let ok = 0;
  for (const path of files) {
    const image = await readImage(path).catch((e: Error) => { warn(`skipping ${basename(path)}: ${e.message}`); return null; });
    if (image) { use(path, image); ok++; }
  }
  if (!ok) throw new DatasetError(`no usable image in ${dir}: all ${files.length} image files failed to decode`);
}

/** Every decodable image in `dir` (evaluation sets, sample grids), with warnings for the others. */
export async function readImageFolder(dir: string, warn: (m: string) => void = (m) => console.warn(m)): Promise<HostImage[]> {
  const out: HostImage[] = [];
  await decodeEach(dir, warn, (_, image) => out.push(image));
  return out;
}

/** Open a folder as a training dataset (see PhotoDataset for the options and the determinism contract). */
export async function openImageFolder(dir: string, opts: DatasetOptions): Promise<PhotoDataset> {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const budget = opts.cacheBytes ?? DEFAULT_CACHE_BYTES;
  const files = await imageFilesIn(dir);
  const sources: ImageSource[] = [];
  const packed: (PackedRgb | null)[] = [];
  let bytes = 0;
  // Two at a time: sharp decodes on its own threads, and one file's JS work overlaps the other's decode.
  for (let i = 0; i < files.length; i += 2) {
    const batch = await Promise.all(files.slice(i, i + 2).map((path) => decodeRgbSamples(path).then(
      (px) => ({ path, px }), (e: Error) => { warn(`skipping ${basename(path)}: ${e.message}`); return null; })));
    for (const d of batch) {
      if (!d) continue;
      sources.push({ name: basename(d.path), width: d.px.width, height: d.px.height, load: () => decodeRgbSamples(d.path) });
      // Keep the pixels of those that fit the cache budget; the rest are decoded again when drawn.
      const keep = bytes < budget;
      if (keep) bytes += d.px.samples.byteLength;
      packed.push(keep ? d.px : null);
    }
  }
  if (!sources.length) throw new DatasetError(`no usable image in ${dir}: all ${files.length} image files failed to decode`);
  const ds = new PhotoDataset(sources, { ...opts, warn });
  ds.sources.forEach((s, i) => {
    const p = packed[sources.indexOf(s)];
    if (p) ds.primeCache(i, p);
  });
  return ds;
}
