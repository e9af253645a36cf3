/**
 * The pretrained models this project can run: UpscalerJS's ESRGAN packages (MIT, by Kevin Scott),
 * installed as ordinary npm dependencies, so nothing is downloaded at run time. Each package holds
 * `models/x{2,3,4,8}/model.json` plus its weight shards (TF.js layers format, trained on DIV2K).
 *
 * Pixel range: UpscalerJS feeds the RDN models (slim, medium) pixels in 0–255 and the RRDN model
 * (thick) pixels in 0–1, and clips the output to the same range (the packages' `inputRange` /
 * `outputRange`, read in dist/…/shared/src/esrgan/esrgan.js; a unit test checks this table against
 * the installed packages).
 */
import { ConfigError } from '../errors.js';

export type PretrainedName = 'esrgan-slim' | 'esrgan-medium' | 'esrgan-thick';
export type PretrainedScale = 2 | 3 | 4 | 8;

export interface PretrainedInfo {
  name: PretrainedName;
  /** npm package holding the files. */
  package: string;
  version: string;
  license: 'MIT';
  author: string;
  /** Where the weights come from. */
  source: string;
  architecture: 'rdn' | 'rrdn';
  /** Upper end of the pixel range the model takes and gives (the lower end is 0). */
  pixelMax: 255 | 1;
  scales: readonly PretrainedScale[];
  description: string;
}

const common = {
  version: '1.0.0',
  license: 'MIT',
  author: 'Kevin Scott',
  source: 'https://github.com/thekevinscott/UpscalerJS (ESRGAN models trained on DIV2K)',
  scales: [2, 3, 4, 8],
} as const;

export const PRETRAINED_MODELS: readonly PretrainedInfo[] = [
  {
    ...common,
    name: 'esrgan-slim',
    package: '@upscalerjs/esrgan-slim',
    architecture: 'rdn',
    pixelMax: 255,
    description: 'RDN, 2 dense blocks of 4 channels (fastest)',
  },
  {
    ...common,
    name: 'esrgan-medium',
    package: '@upscalerjs/esrgan-medium',
    architecture: 'rdn',
    pixelMax: 255,
    description: 'RDN, 10 dense blocks of 64 channels',
  },
  {
    ...common,
    name: 'esrgan-thick',
    package: '@upscalerjs/esrgan-thick',
    architecture: 'rrdn',
    pixelMax: 1,
    description: 'RRDN, 10 residual-in-residual blocks (best quality, slowest)',
  },
];

export const PRETRAINED_NAMES = PRETRAINED_MODELS.map((m) => m.name);
export const DEFAULT_PRETRAINED_SCALE: PretrainedScale = 4;

export class UnknownPretrainedError extends ConfigError {
  override name = 'UnknownPretrainedError';
}

export function isPretrainedName(name: string): name is PretrainedName {
  return (PRETRAINED_NAMES as readonly string[]).includes(name);
}

/** The catalogue entry, after checking the name and (if given) the scale. */
export function pretrainedInfo(name: string, scale?: number): PretrainedInfo {
  const info = PRETRAINED_MODELS.find((m) => m.name === name);
  if (!info) throw new UnknownPretrainedError(`unknown pretrained model ${JSON.stringify(name)} (available: ${PRETRAINED_NAMES.join(', ')})`);
  if (scale !== undefined && !(info.scales as readonly number[]).includes(scale))
    throw new UnknownPretrainedError(`${name} has no ×${scale} model (scales: ${info.scales.join(', ')})`);
  return info;
}

/** model.json's path inside the package. */
export const modelJsonPathInPackage = (scale: PretrainedScale) => `models/x${scale}/model.json`;
