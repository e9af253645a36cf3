/** `srgan upscale`: a photo or a folder of photos, ×4 (or the model's scale) through seamless tiles. */
import { basename } from 'node:path';
import * as E from '../engine/node.js';
import { readImage } from '../srgan/image/node.js';
import { upscaleImage } from '../srgan/upscale.js';
import { SHIPPED_MODELS } from '../srgan/shipped-models.js';
import { PRETRAINED_NAMES } from '../srgan/pretrained/catalogue.js';
import { intOption, numberOption, parseOptions, positiveIntOption, required, type Command, type OptionTable } from './command.js';
import { OUTPUT_EXTENSIONS, writeImage } from './image-output.js';
import { chooseModel } from './model-choice.js';
import { planUpscale, type UpscaleJob } from './upscale-plan.js';
import type { SrModel } from './models.js';
import { progressBar, type Progress } from './progress.js';

const OPTIONS = {
  input: { type: 'string', short: 'i', arg: 'IMG|DIR', help: 'a PNG, JPEG or WebP image, or a folder of them (grey stays grey; alpha is upscaled bicubic)' },
  output: { type: 'string', short: 'o', arg: 'OUT|DIR', help: 'the result: a file whose extension picks the format (.png, .jpg, .jpeg, .webp), ' +
    'or an existing folder (required when -i is a folder)' },
  model: { type: 'string', short: 'n', arg: 'NAME', help: `the model (default: default): ${SHIPPED_MODELS.map((m) => m.name).join(', ')} ` +
    `(shipped generators), or ${PRETRAINED_NAMES.join(', ')} (UpscalerJS's pretrained ESRGANs, once their npm package is installed)` },
  scale: { type: 'string', short: 's', arg: 'S', help: "the upscaling factor: the model's own (4 for ours); 2, 3, 4 or 8 for the ESRGANs (default 4)" },
  checkpoint: { type: 'string', arg: 'FILE', help: 'a generator .safetensors of your own (a run\'s generator.safetensors) instead of -n' },
  suffix: { type: 'string', arg: 'TEXT', help: 'added to each name written into an output folder (default _x4, i.e. _x{scale})' },
  ext: { type: 'string', arg: 'EXT', choices: OUTPUT_EXTENSIONS, help: 'format of the files written into an output folder (default png)' },
  tile: { type: 'string', arg: 'N', help: "LR tile side (default: the largest the adapter's buffer limits allow, ≤ 256)" },
  texture: { type: 'string', arg: 'T', help: 'with -n srgan: how much of its GAN texture, from 0 (= default: faithful, a little soft) to 1 ' +
    '(= srgan, the default); a blend of the two networks\' weights (srgan interpolate), as fast as either' },
  'self-ensemble': { type: 'boolean', help: 'average the model over the 8 flips and transpositions of the image (EDSR\'s "+": a little more PSNR for 8× the time)' },
} as const satisfies OptionTable;

const NOTES = `Everything is checked before the GPU starts: the options, the model, the paths, and each input's
header and output size. A folder run skips files it cannot read, with one warning line each, and
ends with a count. Exit codes: 0 done, 1 failure, 2 usage error.

examples:
  srgan upscale -i photo.jpg -o photo_x4.png
  srgan upscale -i photo.jpg -o photo_x4.png -n srgan --texture 0.5
  srgan upscale -i photos -o photos_x4 --ext webp
  srgan upscale -i photo.jpg -o photo_x2.jpg -n esrgan-slim -s 2`;

async function upscaleOne(model: SrModel, job: UpscaleJob, tile: number | undefined, selfEnsemble: boolean): Promise<string> {
  const image = await readImage(job.input);
  let bar: Progress | undefined; // the tile count is known once tiling is planned
  const t0 = performance.now();
  const out = await upscaleImage((t) => model.run(t), image, {
    scale: model.scale, tile, selfEnsemble,
    onProgress: (done, total) => (bar ??= progressBar(total, `upscale ${basename(job.input)} (tiles)`)).update(done),
  });
  bar?.stop();
  await writeImage(job.output, out, job.format);
  return `${job.input} (${image.width}×${image.height}) → ${job.output} (${out.width}×${out.height}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('upscale', argv, OPTIONS);
  const input = required('upscale', 'input', v.input), output = required('upscale', 'output', v.output);
  const tile = positiveIntOption('upscale', 'tile', v.tile);
  const choice = await chooseModel('upscale', {
    model: v.model, checkpoint: v.checkpoint, scale: intOption('upscale', 'scale', v.scale), texture: numberOption('upscale', 'texture', v.texture),
  });
  const plan = await planUpscale({ input, output, scale: choice.scale, ext: v.ext, suffix: v.suffix });
  for (const line of plan.skipped) console.warn(`warning: skipping ${line.replace(/^cannot read /, '')}`);
  if (plan.jobs.length === 0) throw new Error(`no image in ${input} could be read (${plan.skipped.length} skipped)`);

  await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const model = await choice.load();
  const selfEnsemble = !!v['self-ensemble'];
  console.log(`srgan upscale: ${choice.label}${selfEnsemble ? ' + self-ensemble' : ''}, ×${choice.scale}`);
  const t0 = performance.now();
  let done = 0, failed = 0;
  try {
    for (const job of plan.jobs) {
      try {
        console.log(await upscaleOne(model, job, tile, selfEnsemble));
        done++;
      } catch (e) {
        // A file whose header read but whose pixels do not decode: in a folder, skip it like the others.
        if (!plan.folder) throw e;
        console.warn(`warning: skipping ${job.input}: ${(e as Error).message}`);
        failed++;
      }
    }
  } finally {
    model.dispose();
  }
  if (plan.folder) {
    const skipped = plan.skipped.length + failed;
    console.log(`upscaled ${done} of ${done + skipped} files into ${output}${skipped ? ` (${skipped} skipped)` : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return done > 0 ? 0 : 1;
}

export const upscaleCommand: Command = {
  name: 'upscale', usage: '-i IMG|DIR -o OUT|DIR [-n NAME] [-s S] [options]', options: OPTIONS, notes: NOTES, run,
};
