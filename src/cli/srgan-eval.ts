/** `srgan eval`: PSNR-Y / SSIM-Y / sharpness of a model against bicubic on a folder of HR images. */
import { readImageFolder } from '../srgan/data/folder-node.js';
import * as E from '../engine/node.js';
import type { MetricSet } from '../srgan/metrics.js';
import { parseOptions, required, intOption, type Command, type OptionTable } from './command.js';
import { evaluateModel } from '../srgan/evaluate.js';
import { chooseModel, MODEL_NAMES } from './model-choice.js';
import { progressBar } from './progress.js';

const OPTIONS = {
  images: { type: 'string', arg: 'DIR', help: 'folder of HR images (e.g. data/photos/heldout)' },
  model: { type: 'string', short: 'n', arg: 'NAME', help: `the model (default: default): ${MODEL_NAMES.join(', ')}` },
  scale: { type: 'string', short: 's', arg: 'S', help: "the model's scale (4 for ours); 2, 3, 4 or 8 for the ESRGANs (default 4)" },
  checkpoint: { type: 'string', arg: 'FILE', help: 'a generator .safetensors of your own instead of -n' },
  'self-ensemble': { type: 'boolean', help: 'average the model over the 8 flips and transpositions of each image (EDSR\'s ' +
    '"+"; 8× the time); the report names the model "… + self-ensemble"' },
  json: { type: 'boolean', help: 'end the output with one JSON line (for scripts)' },
} as const satisfies OptionTable;

const NOTES = `Each HR image in DIR is cropped to a multiple of the scale, downscaled by the same antialiased
bicubic as training, then upscaled by bicubic and by the model. PSNR and SSIM (Gaussian 11×11,
σ 1.5) are computed on Y (BT.601) with a scale-pixel border crop; sharpness is the variance of the
Laplacian of Y relative to the original's (1.0 = as sharp as the original).`;

const row = (name: string, m: MetricSet, ms?: number) =>
  `| ${name} | ${m.psnr_y.toFixed(2)} | ${m.ssim_y.toFixed(4)} | ${m.sharpness.toFixed(3)} | ${ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`} |`;

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('eval', argv, OPTIONS);
  const dir = required('eval', 'images', v.images);
  const choice = await chooseModel('eval', { model: v.model, checkpoint: v.checkpoint, scale: intOption('eval', 'scale', v.scale) });
  const images = await readImageFolder(dir, (m) => console.warn(`warning: ${m}`));
  await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const model = await choice.load();
  const bar = progressBar(images.length, 'eval');
  const t0 = performance.now();
  const ensemble = !!v['self-ensemble'];
  const name = ensemble ? `${choice.label} + self-ensemble` : choice.label;
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

export const evalCommand: Command = { name: 'eval', usage: '--images DIR [-n NAME | --checkpoint FILE] [-s S] [--json]', options: OPTIONS, notes: NOTES, run };
