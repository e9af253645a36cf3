/**
 * The app's model files: the generators shipped in models/ (default, srgan, photo, medium), the discriminator
 * shipped with srgan, and UpscalerJS's ESRGAN models (TF.js layers files bundled from their npm
 * packages), as files the bundler copies. `bundledModelReader` serves them to the one model resolver
 * (src/srgan/serve/model-resolver.ts), so the Upscale view names a model exactly as createUpscaler does.
 */
/// <reference types="vite/client" />
import { ModelFileError } from '../srgan/errors.js';
import { fetchBytes, fetchModelReader, type ModelReader } from '../srgan/serve/model-resolver.js';
import { fetchLayersModelFiles, PRETRAINED_MODELS, type PretrainedName, type PretrainedScale } from '../srgan/pretrained/index.js';
import { SHIPPED_MODELS, SHIPPED_SRGAN_DISCRIMINATOR, type ShippedModel, type ShippedName } from '../srgan/shipped-models.js';

// Bundled as files (not inlined), one per shipped model in models/<name>/; a missing file is simply absent.
const SHIPPED_FILES = import.meta.glob('/models/*/generator.safetensors', { query: '?url', import: 'default', eager: true }) as Record<
  string,
  string
>;
// The discriminator shipped with srgan: the app's "Start from the shipped default" GAN run starts from it.
const SHIPPED_DISCRIMINATOR = import.meta.glob('/models/srgan/discriminator.safetensors', {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>;
// node_modules is outside the default glob search: `exhaustive` lets the model packages in. ×2 and ×3 too
// (×8 would add 31 MB for a factor the shipped models do not have either); each is fetched only when chosen.
const PRETRAINED_FILES = import.meta.glob('/node_modules/@upscalerjs/esrgan-*/models/x{2,3,4}/*.{json,bin}', {
  query: '?url',
  import: 'default',
  eager: true,
  exhaustive: true,
}) as Record<string, string>;

const shippedUrl = (name: ShippedName): string | undefined => SHIPPED_FILES[`/${SHIPPED_MODELS.find((m) => m.name === name)!.path}`];

/** The shipped generators (models/<name>/), each with whether this build has its file. */
export const shippedChoices: readonly (ShippedModel & { available: boolean })[] = SHIPPED_MODELS.map((m) => ({
  ...m,
  available: !!shippedUrl(m.name),
}));

/** Pretrained models whose x4 files are bundled, with their licence and source for the UI. */
export const pretrainedChoices = PRETRAINED_MODELS.filter((m) => pretrainedUrl(m.name, 4, 'model.json'));

/** The scales of a pretrained model whose files this build bundles. */
export const pretrainedScales = (name: PretrainedName): PretrainedScale[] =>
  PRETRAINED_MODELS.find((m) => m.name === name)!.scales.filter((s) => pretrainedUrl(name, s, 'model.json'));

function pretrainedUrl(name: PretrainedName, scale: number, file: string): string | undefined {
  return PRETRAINED_FILES[`/node_modules/@upscalerjs/${name}/models/x${scale}/${file}`];
}

function bundledBytes(url: string | undefined, what: string, path: string): Promise<Uint8Array> {
  if (!url) return Promise.reject(new ModelFileError(`this build ships no ${what} (${path})`));
  return fetchBytes(url, what);
}

/** The discriminator trained with srgan (its file). */
export const shippedDiscriminatorBytes = (): Promise<Uint8Array> => {
  const { path } = SHIPPED_SRGAN_DISCRIMINATOR;
  return bundledBytes(SHIPPED_DISCRIMINATOR[`/${path}`], 'srgan discriminator', path);
};

/** Model files as this build bundles them: shipped generators and UpscalerJS models by name; anything else by fetch. */
export const bundledModelReader: ModelReader = {
  ...fetchModelReader,
  readShipped: (name) => bundledBytes(shippedUrl(name), `"${name}" model`, `models/${name}/generator.safetensors`),
  async readPretrained(name, scale) {
    const json = pretrainedUrl(name, scale, 'model.json');
    if (!json) throw new ModelFileError(`${name} ×${scale}: its files are not bundled in this build`);
    // Shards are named relative to model.json, but bundled files get hashed names: map by file name.
    const fetchShard = (url: string) =>
      fetch(url === new URL(json, location.href).href ? json : (pretrainedUrl(name, scale, url.slice(url.lastIndexOf('/') + 1)) ?? url));
    return fetchLayersModelFiles(json, fetchShard);
  },
};
