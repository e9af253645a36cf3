/** `srgan upscale`: ×4 (or the model's scale) of any image through seamless tiles. */
import { basename } from 'node:path';
import * as E from '../engine/node.js';
import { readImage, writePng } from '../srgan/image/node.js';
import { upscaleImage } from '../srgan/upscale.js';
import { intOption, parseOptions, required, type Command } from './command.js';
import { loadModel } from './models.js';
import { progressBar, type Progress } from './progress.js';

const HELP = `srgan upscale: super-resolve one image

usage: srgan upscale [--checkpoint FILE | --model NAME [--scale S]] --input IMAGE --output OUT.png

  --checkpoint FILE   a generator .safetensors (its config is in the file's metadata);
                      default: the shipped model (models/default/generator.safetensors)
  --model NAME        a pretrained UpscalerJS model: esrgan-slim, esrgan-medium or esrgan-thick
  --scale S           with --model: 2, 3, 4 or 8 (default 4)
  --input IMAGE       PNG, JPEG or WebP; grey stays grey, alpha is upscaled bicubic
  --output OUT.png    the result (PNG)
  --tile N            LR tile side (default: the largest the adapter's buffer limits allow, ≤ 256)
  --self-ensemble     average the model over the 8 flips and transpositions of the image (EDSR's
                      "+": a little more PSNR for 8× the time)`;

const OPTIONS = {
  checkpoint: { type: 'string' }, model: { type: 'string' }, scale: { type: 'string' },
  input: { type: 'string' }, output: { type: 'string' }, tile: { type: 'string' }, 'self-ensemble': { type: 'boolean' },
} as const;

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('upscale', argv, OPTIONS);
  const input = required('upscale', 'input', v.input), output = required('upscale', 'output', v.output);
  const image = await readImage(input);
  await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const model = await loadModel({ checkpoint: v.checkpoint, model: v.model, scale: intOption('upscale', 'scale', v.scale) });
  const t0 = performance.now();
  let bar: Progress | undefined; // the tile count is known once tiling is planned
  const out = await upscaleImage((t) => model.run(t), image, {
    scale: model.scale, tile: intOption('upscale', 'tile', v.tile), selfEnsemble: !!v['self-ensemble'],
    onProgress: (done, total) => (bar ??= progressBar(total, `upscale ${basename(input)} (tiles)`)).update(done),
  });
  bar?.stop();
  await writePng(output, out);
  model.dispose();
  console.log(`${input} (${image.width}×${image.height}) → ${output} (${out.width}×${out.height}) with ${model.name}${v['self-ensemble'] ? ' + self-ensemble' : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

export const upscaleCommand: Command = { name: 'upscale', summary: 'upscale an image (shipped model, a checkpoint, or a pretrained ESRGAN)', help: HELP, run };
