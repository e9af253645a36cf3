/**
 * The generators this package ships, by name (`srgan upscale -n default`). One list, so a model is
 * offered as soon as its file is in the package: code that offers them checks that the file exists.
 * Paths are relative to the package root.
 */
export interface ShippedModel {
  name: string;
  path: string;
  description: string;
}

export const SHIPPED_MODELS: readonly ShippedModel[] = [
  { name: 'default', path: 'models/default/generator.safetensors', description: 'PSNR-oriented (pixel loss): faithful, a little soft' },
  { name: 'srgan', path: 'models/srgan/generator.safetensors', description: 'GAN-trained (SRGAN): sharper texture' },
];

export const SHIPPED_NAMES = SHIPPED_MODELS.map((m) => m.name);

export function shippedModel(name: string): ShippedModel | undefined {
  return SHIPPED_MODELS.find((m) => m.name === name);
}
