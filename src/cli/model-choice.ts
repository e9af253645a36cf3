/**
 * `-n NAME`, `--checkpoint FILE` and `-s SCALE`, checked whole on the host before the GPU starts:
 * the name is known, the file exists and is a valid generator, the scale is one the model has, and
 * a pretrained model's npm package is installed. Loading onto the engine comes after (`load`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readGeneratorFileFor, srganAtTexture, srganAtTextureName } from '../srgan/checkpoint.js';
import { generatorInferenceFromBytes } from '../srgan/inference.js';
import { isPretrainedName, pretrainedInfo, PRETRAINED_NAMES, type PretrainedName } from '../srgan/pretrained/catalogue.js';
import { packageRoot } from '../srgan/pretrained/node.js';
import { isShippedName, SHIPPED_NAMES, shippedModel, type ShippedName } from '../srgan/shipped-models.js';
import { UsageError } from './command.js';
import { loadGeneratorModel, loadPretrainedModel, type SrModel } from './models.js';

/** Every name `-n` takes. */
export const MODEL_NAMES = [...SHIPPED_NAMES, ...PRETRAINED_NAMES];

export interface ModelChoice {
  label: string;
  scale: number;
  /** Put the model on the engine (initEngine first). */
  load(): Promise<SrModel>;
}

/** The generator's own scale, checked against -s. A corrupt file is a failure (exit 1), named, before any GPU work. */
function generatorScale(command: string, bytes: Uint8Array, what: string, label: string, scale?: number): number {
  const own = readGeneratorFileFor(bytes, `${what}: `).config.generator.scale;
  if (scale !== undefined && scale !== own)
    throw new UsageError(`srgan ${command}: ${label} upscales ×${own}; -s ${scale} needs a model with that scale (e.g. -n esrgan-slim -s ${scale})`);
  return own;
}

async function generatorChoice(command: string, path: string, label: string, scale?: number): Promise<ModelChoice> {
  return { label, scale: generatorScale(command, await readFile(path), path, label, scale), load: () => loadGeneratorModel(path) };
}

/**
 * `-n srgan --texture T`: the shipped srgan blended with default by network interpolation
 * ((1 − T)·default + T·srgan, every weight), a dial from default's fidelity (0) to srgan's texture (1).
 */
async function textureChoice(command: string, texture: number, scale?: number): Promise<ModelChoice> {
  if (!(texture >= 0 && texture <= 1)) throw new UsageError(`srgan ${command}: --texture must be between 0 and 1, got ${texture}`);
  const bytes = await srganAtTexture((name) => readFile(shippedModelPath(command, name)), texture);
  const label = srganAtTextureName(texture);
  return { label, scale: generatorScale(command, bytes, label, label, scale), load: async () => generatorInferenceFromBytes(bytes, label) };
}

function pretrainedChoice(command: string, name: PretrainedName, scale = 4): ModelChoice {
  let info;
  try {
    info = pretrainedInfo(name, scale);
  } catch {
    throw new UsageError(`srgan ${command}: ${name} comes at scales ${pretrainedInfo(name).scales.join(', ')}, not ${scale}`);
  }
  try {
    packageRoot(info.package);
  } catch {
    // Optional: 5–115 MB of weights each, so the package does not install them for everyone.
    throw new Error(`${name} needs the npm package ${info.package}: npm install ${info.package} --legacy-peer-deps ` +
      '(its TF.js peer dependency is not needed)');
  }
  return { label: `${name} ×${scale} (UpscalerJS, ${info.license})`, scale, load: () => loadPretrainedModel(name, scale) };
}

export async function chooseModel(command: string, opts: { model?: string; checkpoint?: string; scale?: number; texture?: number }): Promise<ModelChoice> {
  const { model, checkpoint, scale, texture } = opts;
  if (model !== undefined && checkpoint !== undefined) throw new UsageError(`srgan ${command}: give either -n/--model or --checkpoint, not both`);
  if (scale !== undefined && scale < 2) throw new UsageError(`srgan ${command}: -s/--scale must be 2 or more, got ${scale}`);
  if (texture !== undefined) {
    if (model !== 'srgan') throw new UsageError(`srgan ${command}: --texture blends srgan with default; use it with -n srgan`);
    return textureChoice(command, texture, scale);
  }
  if (checkpoint !== undefined) {
    if (!existsSync(checkpoint)) throw new UsageError(`srgan ${command}: checkpoint not found: ${checkpoint}`);
    return generatorChoice(command, checkpoint, `checkpoint ${checkpoint}`, scale);
  }
  const name = model ?? 'default';
  if (isShippedName(name)) return generatorChoice(command, shippedModelPath(command, name), name, scale);
  if (isPretrainedName(name)) return pretrainedChoice(command, name, scale);
  throw new UsageError(`srgan ${command}: unknown model "${name}" (models: ${MODEL_NAMES.join(', ')}; or --checkpoint FILE)`);
}

/** The file of a shipped generator, or a usage error naming the missing file. */
export function shippedModelPath(command: string, name: ShippedName): string {
  // Relative to the catalogue module: src/srgan/ in a clone, dist/cli/ or dist/lib/ in the package.
  const shipped = shippedModel(name)!, path = fileURLToPath(shipped.url());
  if (!existsSync(path)) throw new UsageError(`srgan ${command}: the model "${name}" is not shipped in this version (${shipped.path} is missing)`);
  return path;
}
