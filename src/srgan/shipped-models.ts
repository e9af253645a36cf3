/**
 * The one catalogue of the generators this package ships in its models/ folder. Every place that
 * lists or resolves them (createUpscaler, the CLI's `--model`) reads this table, so a model is
 * usable everywhere as soon as its file exists.
 *
 * Each file is found relative to this module with `new URL('../../models/…', import.meta.url)`:
 * the same relative path holds in the repository (src/srgan/) and in the package's dist/lib/, and
 * it is the form bundlers (Vite, webpack 5, esbuild with a loader) recognise and copy as an asset.
 * The URLs are literals on purpose: a bundler only understands a literal.
 */

export type ShippedName = 'default' | 'srgan';

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
    name: 'default', path: 'models/default/generator.safetensors',
    url: () => new URL('../../models/default/generator.safetensors', import.meta.url),
    description: 'PSNR-oriented residual-over-bicubic generator (8 blocks), ×4',
  },
  {
    name: 'srgan', path: 'models/srgan/generator.safetensors',
    url: () => new URL('../../models/srgan/generator.safetensors', import.meta.url),
    description: 'the default generator fine-tuned with the adversarial loss (SRGAN), ×4',
  },
];

export const SHIPPED_NAMES: readonly ShippedName[] = SHIPPED_MODELS.map((m) => m.name);

export function isShippedName(name: string): name is ShippedName {
  return (SHIPPED_NAMES as readonly string[]).includes(name);
}

export function shippedModel(name: ShippedName): ShippedModel {
  return SHIPPED_MODELS.find((m) => m.name === name)!;
}
