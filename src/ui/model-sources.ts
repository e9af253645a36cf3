/**
 * Where the Upscale view's models come from: the generators shipped in models/ (default, srgan), the one the
 * training worker saved last, a .safetensors file the user picks, or an UpscalerJS ESRGAN model
 * (TF.js layers files bundled from their npm packages). All become one `UpscaleModel`: the inference
 * contract (inference.ts), so a tile records no graph and comes out in [0, 1].
 */
/// <reference types="vite/client" />
import { generatorFromSafetensors, srganAtTexture, srganAtTextureName } from '../srgan/checkpoint.js';
import { generatorInference, pretrainedInference, type InferenceModel } from '../srgan/inference.js';
import { loadPretrainedFromUrl, PRETRAINED_MODELS, type PretrainedName, type PretrainedScale } from '../srgan/pretrained/index.js';
import { SHIPPED_MODELS, SHIPPED_SRGAN_DISCRIMINATOR, type ShippedModel, type ShippedName } from '../srgan/shipped-models.js';

export type UpscaleModel = InferenceModel;

// Bundled as files (not inlined), one per shipped model in models/<name>/; a missing file is simply absent.
const SHIPPED_FILES = import.meta.glob('/models/*/generator.safetensors',
  { query: '?url', import: 'default', eager: true }) as Record<string, string>;
// The discriminator shipped with srgan: the app's "Start from the shipped default" GAN run starts from it.
const SHIPPED_DISCRIMINATOR = import.meta.glob('/models/srgan/discriminator.safetensors',
  { query: '?url', import: 'default', eager: true }) as Record<string, string>;
// node_modules is outside the default glob search: `exhaustive` lets the model packages in. ×2 and ×3 too
// (×8 would add 31 MB for a factor the shipped models do not have either); each is fetched only when chosen.
const PRETRAINED_FILES = import.meta.glob('/node_modules/@upscalerjs/esrgan-*/models/x{2,3,4}/*.{json,bin}',
  { query: '?url', import: 'default', eager: true, exhaustive: true }) as Record<string, string>;

const shippedUrl = (name: ShippedName): string | undefined => SHIPPED_FILES[`/${SHIPPED_MODELS.find((m) => m.name === name)!.path}`];

/** The shipped generators (models/default, models/srgan), each with whether this build has its file. */
export const shippedChoices: readonly (ShippedModel & { available: boolean })[] =
  SHIPPED_MODELS.map((m) => ({ ...m, available: !!shippedUrl(m.name) }));

/** Pretrained models whose x4 files are bundled, with their licence and source for the UI. */
export const pretrainedChoices = PRETRAINED_MODELS.filter((m) => pretrainedUrl(m.name, 4, 'model.json'));

/** The scales of a pretrained model whose files this build bundles. */
export const pretrainedScales = (name: PretrainedName): PretrainedScale[] =>
  PRETRAINED_MODELS.find((m) => m.name === name)!.scales.filter((s) => pretrainedUrl(name, s, 'model.json'));

function pretrainedUrl(name: PretrainedName, scale: number, file: string): string | undefined {
  return PRETRAINED_FILES[`/node_modules/@upscalerjs/${name}/models/x${scale}/${file}`];
}

export function generatorModel(bytes: Uint8Array, label: string): UpscaleModel {
  const { generator, config } = generatorFromSafetensors(bytes, label);
  return generatorInference(generator, `${label} (${config.preset}: ${config.generator.blocks} blocks × ${config.generator.channels})`);
}

async function fetchBytes(url: string | undefined, what: string, path: string): Promise<Uint8Array> {
  if (!url) throw new Error(`this build ships no ${what} (${path})`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A shipped generator's file. */
export const shippedBytes = (name: ShippedName): Promise<Uint8Array> =>
  fetchBytes(shippedUrl(name), `"${name}" model`, `models/${name}/generator.safetensors`);

/** The discriminator trained with srgan (its file). */
export const shippedDiscriminatorBytes = (): Promise<Uint8Array> => {
  const { path } = SHIPPED_SRGAN_DISCRIMINATOR;
  return fetchBytes(SHIPPED_DISCRIMINATOR[`/${path}`], 'srgan discriminator', path);
};

export async function shippedModel(name: ShippedName): Promise<UpscaleModel> {
  return generatorModel(await shippedBytes(name), `shipped ${name}`);
}

/**
 * The shipped srgan at a texture strength: (1 − t)·default + t·srgan, weight by weight (network
 * interpolation, as `srgan upscale -n srgan --texture t`): 0 is default's fidelity, 1 is srgan.
 */
export async function shippedSrganAt(texture: number): Promise<UpscaleModel> {
  return generatorModel(await srganAtTexture(shippedBytes, texture), `shipped ${srganAtTextureName(texture)}`);
}

export async function pretrainedModel(name: PretrainedName, scale: PretrainedScale = 4): Promise<UpscaleModel> {
  const json = pretrainedUrl(name, scale, 'model.json');
  if (!json) throw new Error(`${name} ×${scale}: its files are not bundled in this build`);
  // Shards are named relative to model.json, but bundled files get hashed names: map by file name.
  const fetchShard = (url: string) => fetch(url === new URL(json, location.href).href ? json
    : pretrainedUrl(name, scale, url.slice(url.lastIndexOf('/') + 1)) ?? url);
  const m = await loadPretrainedFromUrl(name, scale, json, fetchShard);
  return pretrainedInference(m, `${name} (UpscalerJS, ${m.license})`);
}
