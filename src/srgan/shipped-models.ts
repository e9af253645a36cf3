/**
 * The one catalogue of the generators this package ships in its models/ folder (default, srgan, photo, medium). Every place that
 * lists or resolves them (createUpscaler, the CLI's `-n/--model`) reads this table, so a model is
 * usable everywhere as soon as its file exists. Paths are relative to the package root.
 *
 * Each file is found relative to this module with `new URL('../../models/…', import.meta.url)`:
 * the same relative path holds in the repository (src/srgan/) and in the package's dist/lib/, and
 * it is the form bundlers (Vite, webpack 5, esbuild with a loader) recognise and copy as an asset.
 * The URLs are literals on purpose: a bundler only understands a literal.
 */

export type ShippedName = 'default' | 'srgan' | 'photo' | 'medium';

export interface ShippedModel {
  name: ShippedName;
  /** The file's path relative to the package root. */
  path: string;
  /** The file's URL, relative to this module (file: in Node, http(s): or an asset URL in a page). */
  url(): URL;
  description: string;
}

export const SHIPPED_MODELS: readonly ShippedModel[] = [
  {
    name: 'default',
    path: 'models/default/generator.safetensors',
    url: () => new URL('../../models/default/generator.safetensors', import.meta.url),
    description: 'PSNR-oriented (pixel loss): faithful, a little soft',
  },
  {
    name: 'srgan',
    path: 'models/srgan/generator.safetensors',
    url: () => new URL('../../models/srgan/generator.safetensors', import.meta.url),
    description: 'GAN-trained (SRGAN): sharper texture',
  },
  {
    name: 'photo',
    path: 'models/photo/generator.safetensors',
    url: () => new URL('../../models/photo/generator.safetensors', import.meta.url),
    description: 'for phone and web JPEGs: trained on noisy, compressed inputs; removes noise and blocks rather than sharpening them',
  },
  {
    name: 'medium',
    path: 'models/medium/generator.safetensors',
    url: () => new URL('../../models/medium/generator.safetensors', import.meta.url),
    description: 'PSNR-oriented like default with 4× its parameters: the most faithful, about 2× slower',
  },
];

export const SHIPPED_NAMES: readonly ShippedName[] = SHIPPED_MODELS.map((m) => m.name);

/** The discriminator trained with srgan, which a GAN phase from `default` can start from (models/srgan/recipe.json). */
export const SHIPPED_SRGAN_DISCRIMINATOR = {
  path: 'models/srgan/discriminator.safetensors',
  url: (): URL => new URL('../../models/srgan/discriminator.safetensors', import.meta.url),
} as const;

export function isShippedName(name: string): name is ShippedName {
  return (SHIPPED_NAMES as readonly string[]).includes(name);
}

/** The catalogue entry, or undefined for a name that is not a shipped model. */
export function shippedModel(name: string): ShippedModel | undefined {
  return SHIPPED_MODELS.find((m) => m.name === name);
}
