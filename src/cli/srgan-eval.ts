/** `srgan eval`: PSNR-Y / SSIM-Y / sharpness of a model against bicubic on a folder of HR images. */
import { readImageFolder } from '../srgan/data/folder-node.js';
import * as E from '../engine/node.js';
import type { MetricSet } from '../srgan/metrics.js';
import { parseOptions, required, intOption, type Command } from './command.js';
import { evaluateModel } from '../srgan/evaluate.js';
import { loadModel } from './models.js';
import { progressBar } from './progress.js';

const HELP = `srgan eval: measure a model against bicubic on HR images (the paper's protocol)

usage: srgan eval [--checkpoint FILE | --model NAME [--scale S]] --images DIR [--json]

Each HR image in DIR is cropped to a multiple of the scale, downscaled by the same antialiased
bicubic as training, then upscaled by bicubic and by the model. PSNR and SSIM (Gaussian 11×11,
σ 1.5) are computed on Y (BT.601) with a scale-pixel border crop; sharpness is the variance of the
Laplacian of Y relative to the original's (1.0 = as sharp as the original).

  --checkpoint FILE   a generator .safetensors (default: the shipped model)
  --model NAME        esrgan-slim, esrgan-medium or esrgan-thick (UpscalerJS, MIT)
  --scale S           with --model: 2, 3, 4 or 8 (default 4)
  --images DIR        folder of HR images (e.g. data/photos/heldout)
  --self-ensemble     average the model over the 8 flips and transpositions of each image (EDSR's
                      "+"; 8× the time); the report names the model "… + self-ensemble"
  --json              end the output with one JSON line (for scripts)`;

const OPTIONS = {
  checkpoint: { type: 'string' }, model: { type: 'string' }, scale: { type: 'string' },
  images: { type: 'string' }, json: { type: 'boolean' }, 'self-ensemble': { type: 'boolean' },
} as const;

const row = (name: string, m: MetricSet, ms?: number) =>
  `| ${name} | ${m.psnr_y.toFixed(2)} | ${m.ssim_y.toFixed(4)} | ${m.sharpness.toFixed(3)} | ${ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`} |`;

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('eval', argv, OPTIONS);
  const dir = required('eval', 'images', v.images);
  const images = await readImageFolder(dir, (m) => console.warn(`warning: ${m}`));
  await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const model = await loadModel({ checkpoint: v.checkpoint, model: v.model, scale: intOption('eval', 'scale', v.scale) });
  const bar = progressBar(images.length, 'eval');
  const t0 = performance.now();
  const ensemble = !!v['self-ensemble'];
  const name = ensemble ? `${model.name} + self-ensemble` : model.name;
  const report = await evaluateModel(images, model, (done) => bar.update(done), ensemble);
  const ms = performance.now() - t0;
  bar.stop();
  console.log(`${name} on ${report.images} images of ${dir} (×${report.scale}):\n`);
  console.log('| image | bicubic PSNR-Y | model PSNR-Y | gain | bicubic SSIM-Y | model SSIM-Y | model sharpness |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of report.perImage)
    console.log(`| ${r.name} | ${r.bicubic.psnr_y.toFixed(2)} | ${r.model.psnr_y.toFixed(2)} | ${(r.model.psnr_y - r.bicubic.psnr_y).toFixed(2)} | ` +
      `${r.bicubic.ssim_y.toFixed(4)} | ${r.model.ssim_y.toFixed(4)} | ${r.model.sharpness.toFixed(3)} |`);
  console.log('\n| mean | PSNR-Y (dB) | SSIM-Y | sharpness | time |\n| --- | ---: | ---: | ---: | ---: |');
  console.log(row('bicubic', report.bicubic));
  console.log(row('model', report.model, ms));
  model.dispose();
  if (v.json) {
    const pick = (m: MetricSet) => ({ psnr_y: m.psnr_y, ssim_y: m.ssim_y, sharpness: m.sharpness });
    console.log(JSON.stringify({ images: report.images, scale: report.scale, bicubic: pick(report.bicubic), model: { ...pick(report.model), name, seconds: ms / 1000 } }));
  }
  return 0;
}

export const evalCommand: Command = { name: 'eval', summary: 'PSNR/SSIM of a model vs bicubic on a folder of HR images', help: HELP, run };
