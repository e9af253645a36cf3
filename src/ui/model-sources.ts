/**
 * Where the Upscale view's models come from: the generator shipped in models/default/, the one the
 * training worker saved last, a .safetensors file the user picks, or an UpscalerJS ESRGAN model
 * (TF.js layers files bundled from their npm packages). All become one `UpscaleModel`: the inference
 * contract (inference.ts), so a tile records no graph and comes out in [0, 1].
 */
/// <reference types="vite/client" />
import { generatorFromSafetensors } from '../srgan/checkpoint.js';
import { generatorInference, pretrainedInference, type InferenceModel } from '../srgan/inference.js';
import { loadPretrainedFromUrl, PRETRAINED_MODELS, type PretrainedName } from '../srgan/pretrained/index.js';

export type UpscaleModel = InferenceModel;

// Bundled as files (not inlined); a missing models/default/ simply gives an empty map.
const DEFAULT_MODEL = Object.values(import.meta.glob('/models/default/generator.safetensors',
  { query: '?url', import: 'default', eager: true }) as Record<string, string>)[0] as string | undefined;
// node_modules is outside the default glob search: `exhaustive` lets the model packages in.
const PRETRAINED_FILES = import.meta.glob('/node_modules/@upscalerjs/esrgan-*/models/x4/*.{json,bin}',
  { query: '?url', import: 'default', eager: true, exhaustive: true }) as Record<string, string>;

export const hasDefaultModel = !!DEFAULT_MODEL;

/** Pretrained models whose x4 files are bundled, with their licence and source for the UI. */
export const pretrainedChoices = PRETRAINED_MODELS.filter((m) => pretrainedUrl(m.name, 'model.json'));

function pretrainedUrl(name: PretrainedName, file: string): string | undefined {
  return PRETRAINED_FILES[`/node_modules/@upscalerjs/${name}/models/x4/${file}`];
}

export function generatorModel(bytes: Uint8Array, label: string): UpscaleModel {
  const { generator, config } = generatorFromSafetensors(bytes, label);
  return generatorInference(generator, `${label} (${config.preset}: ${config.generator.blocks} blocks × ${config.generator.channels})`);
}

export async function defaultModel(): Promise<UpscaleModel> {
  if (!DEFAULT_MODEL) throw new Error('this build ships no default model (models/default/generator.safetensors)');
  const res = await fetch(DEFAULT_MODEL);
  if (!res.ok) throw new Error(`default model: HTTP ${res.status}`);
  return generatorModel(new Uint8Array(await res.arrayBuffer()), 'shipped default');
}

export async function pretrainedModel(name: PretrainedName): Promise<UpscaleModel> {
  const json = pretrainedUrl(name, 'model.json');
  if (!json) throw new Error(`${name}: its files are not bundled in this build`);
  // Shards are named relative to model.json, but bundled files get hashed names: map by file name.
  const fetchShard = (url: string) => fetch(url === new URL(json, location.href).href ? json
    : pretrainedUrl(name, url.slice(url.lastIndexOf('/') + 1)) ?? url);
  const m = await loadPretrainedFromUrl(name, 4, json, fetchShard);
  return pretrainedInference(m, `${name} (UpscalerJS, ${m.license})`);
}
