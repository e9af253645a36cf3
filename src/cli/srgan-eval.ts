/** `srgan eval`: PSNR-Y / SSIM-Y / sharpness of a model against bicubic on a folder of HR images. */
import { readImageFolder } from '../srgan/data/folder-node.js';
import * as E from '../engine/node.js';
import type { MetricSet } from '../srgan/metrics.js';
import { parseOptions, positiveIntOption, required, intOption, numberOption, UsageError, type Command, type OptionTable } from './command.js';
import { evaluateModel } from '../srgan/evaluate.js';
import type { EvalReport } from '../srgan/metrics.js';
import { chooseModel } from './model-choice.js';
import { MODEL_NAMES } from '../srgan/serve/model-resolver.js';
import { progressBar } from './progress.js';
import { degradedLowResOption } from './degrade-option.js';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { HostImage } from '../srgan/image/types.js';
import { upscaleImage } from '../srgan/serve/upscale.js';
import { centreSquare, evaluateSet, prepareEvalSet } from '../srgan/report/eval-set.js';
import { renderComparisonGrid } from '../srgan/report/eval-grid.js';
import { rgbFromHost } from '../srgan/report/raster.js';
import { encodeGridPng } from '../srgan/store/run-store-node.js';

const OPTIONS = {
  images: { type: 'string', arg: 'DIR', help: 'folder of HR images (e.g. data/photos/heldout)' },
  model: {
    type: 'string',
    short: 'n',
    arg: 'NAME[,NAME…]',
    help: `the model (default: default), or several separated by commas to compare them in one table: ${MODEL_NAMES.join(', ')}`,
  },
  scale: { type: 'string', short: 's', arg: 'S', help: "the model's scale (4 for ours); 2, 3, 4 or 8 for the ESRGANs (default 4)" },
  checkpoint: { type: 'string', arg: 'FILE', help: 'a generator .safetensors of your own instead of -n' },
  texture: {
    type: 'string',
    arg: 'T[,T…]',
    help:
      'with srgan in -n: evaluate it blended with default at each strength, 0 (= default) to 1 (= srgan), ' +
      'as upscale --texture does; several values give one row each (e.g. -n srgan --texture 0.25,0.5,0.75)',
  },
  'self-ensemble': {
    type: 'boolean',
    help:
      "average the model over the 8 flips and transpositions of each image (EDSR's " +
      '"+"; 8× the time); the report names the model "… + self-ensemble"',
  },
  grid: {
    type: 'string',
    arg: 'FILE',
    help:
      'also write a PNG of the first images at 1:1, one row each: LR (nearest) | bicubic | each model | HR ' +
      '(each a 256-px centre square: the whole image, resized, up to 512 px; a 1:1 crop of larger ones)',
  },
  'grid-rows': { type: 'string', arg: 'N', help: 'images in the --grid (default 4)' },
  json: { type: 'boolean', help: 'end the output with one JSON line (for scripts)' },
  degrade: {
    type: 'string',
    arg: 'SPEC',
    help:
      'make the LR with a degradation instead of the plain bicubic, the same for every run: e.g. jpeg75, ' +
      'noise5+jpeg75, blur1+greynoise3+jpeg60, phone, realistic (grammar in docs/training.md); the table and the JSON say which',
  },
} as const satisfies OptionTable;

const NOTES = `Each HR image in DIR is cropped to a multiple of the scale, downscaled by the same antialiased
bicubic as training, then upscaled by bicubic and by the model. PSNR and SSIM (Gaussian 11×11,
σ 1.5) are computed on Y (BT.601) with a scale-pixel border crop; sharpness is the variance of the
Laplacian of Y relative to the original's (1.0 = as sharp as the original); flat-region sharpness is
the same ratio on the original's flatter half (by local Laplacian activity), where texture adds
little and noise a lot: far above the overall sharpness means noise, not texture. The phase pattern
is the fixed ×scale sub-pixel lattice: Y minus a box blur one period wide, averaged over each of
the scale² sub-pixel phases, RMS of those means (grey levels; bicubic and a lattice-free model are
near 0).`;

const GRID_IMAGES = 4,
  GRID_SIZE = 256;

/** The grid's HR images: centre squares of the first few, whole (resized) when small, a 1:1 crop when large. */
function gridImages(images: readonly HostImage[], rows: number): HostImage[] {
  return images.slice(0, rows).map((img) => (Math.min(img.width, img.height) <= 2 * GRID_SIZE ? centreSquare(img) : centreSquare(img, GRID_SIZE)));
}

/** What one row evaluates: a -n name (undefined: the default model), with srgan's --texture strength if given. */
interface Entry {
  model?: string;
  texture?: number;
}

/** A column label: the model's name (and texture), or the checkpoint's folder and file name (a path is too long for a column). */
const gridLabel = (entry: Entry, checkpoint: string | undefined, name: string) =>
  checkpoint !== undefined
    ? `${basename(dirname(resolve(checkpoint)))}/${basename(checkpoint, '.safetensors')}`
    : entry.texture !== undefined
      ? `${entry.model} texture ${entry.texture}`
      : (entry.model ?? name);

const row = (name: string, m: MetricSet, flat: number, phase: number, ms?: number) =>
  `| ${name} | ${m.psnr_y.toFixed(2)} | ${m.ssim_y.toFixed(4)} | ${m.sharpness.toFixed(3)} | ${flat.toFixed(3)} | ${phase.toFixed(3)} | ${ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`} |`;

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('eval', argv, OPTIONS);
  const dir = required('eval', 'images', v.images);
  const scale = intOption('eval', 'scale', v.scale);
  const names: (string | undefined)[] = v.model === undefined ? [undefined] : v.model.split(',').map((n) => n.trim());
  if (names.length > 1 && v.checkpoint !== undefined) throw new UsageError('srgan eval: give several models with -n, or one --checkpoint, not both');
  const textures = v.texture?.split(',').map((t) => numberOption('eval', 'texture', t.trim())!);
  if (textures && !names.includes('srgan')) throw new UsageError('srgan eval: --texture blends srgan with default; use it with -n srgan');
  const entries: Entry[] = names.flatMap((model) => (model === 'srgan' && textures ? textures.map((texture) => ({ model, texture })) : [{ model }]));
  const choices = [];
  for (const e of entries) choices.push(await chooseModel('eval', { model: e.model, checkpoint: v.checkpoint, scale, texture: e.texture }));
  const grid = v.grid;
  if (grid !== undefined && !/\.png$/i.test(grid))
    throw new UsageError(`srgan eval: --grid writes a PNG; give a file name ending in .png, got "${grid}"`);
  const lowRes = degradedLowResOption(v.degrade, choices[0].scale);
  const images = await readImageFolder(dir, (m) => console.warn(`warning: ${m}`));
  await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const ensemble = !!v['self-ensemble'];
  const results: { name: string; report: EvalReport; ms: number }[] = [];
  const gridRows = positiveIntOption('eval', 'grid-rows', v['grid-rows']) ?? GRID_IMAGES;
  const gridSet =
    grid === undefined ? undefined : await prepareEvalSet(gridImages(images, gridRows), { scale: choices[0].scale, size: GRID_SIZE, lowRes });
  const gridOutputs: HostImage[][] = [];
  for (const choice of choices) {
    const model = choice.load();
    const bar = progressBar(images.length, choices.length > 1 ? `eval ${choice.label}` : 'eval');
    const t0 = performance.now();
    const report = await evaluateModel(images, model, (done) => bar.update(done), ensemble, lowRes);
    const ms = performance.now() - t0; // the evaluation's time; the grid's upscales are extra
    bar.stop();
    if (gridSet)
      gridOutputs.push(
        (await evaluateSet(gridSet, (lr) => upscaleImage((t) => model.run(t), lr, { scale: model.scale, selfEnsemble: ensemble }))).outputs,
      );
    model.dispose();
    results.push({ name: ensemble ? `${choice.label} + self-ensemble` : choice.label, report, ms });
  }
  const { report } = results[0];
  console.log(
    `${results.map((r) => r.name).join(', ')} on ${report.images} images of ${dir} (×${report.scale}${v.degrade ? `, LR degraded by ${v.degrade}` : ''}):\n`,
  );
  const several = results.length > 1;
  const label = (name: string) => (several ? name : 'model');
  console.log(
    `| image | bicubic PSNR-Y | ${results.map((r) => `${label(r.name)} PSNR-Y | gain | ${several ? '' : 'bicubic SSIM-Y | '}${label(r.name)} SSIM-Y | ${label(r.name)} sharpness`).join(' | ')} |`,
  );
  console.log(`| --- | ---: | ${results.map(() => `---: | ---: | ${several ? '' : '---: | '}---: | ---:`).join(' | ')} |`);
  report.perImage.forEach((first, i) => {
    const cells = results.map(({ report: rep }) => {
      const r = rep.perImage[i];
      return (
        `${r.model.psnr_y.toFixed(2)} | ${(r.model.psnr_y - r.bicubic.psnr_y).toFixed(2)} | ${several ? '' : `${r.bicubic.ssim_y.toFixed(4)} | `}` +
        `${r.model.ssim_y.toFixed(4)} | ${r.model.sharpness.toFixed(3)}`
      );
    });
    console.log(`| ${first.name} | ${first.bicubic.psnr_y.toFixed(2)} | ${cells.join(' | ')} |`);
  });
  console.log(
    '\n| mean | PSNR-Y (dB) | SSIM-Y | sharpness | flat-region sharpness | phase pattern | time |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  console.log(row('bicubic', report.bicubic, report.flatSharpness.bicubic, report.phasePattern.bicubic));
  for (const r of results) console.log(row(label(r.name), r.report.model, r.report.flatSharpness.model, r.report.phasePattern.model, r.ms));
  console.log(
    `\n(phase pattern: the fixed ×${report.scale} sub-pixel lattice, grey levels of Y; the originals' own: ${report.phasePattern.original.toFixed(3)})`,
  );
  if (gridSet && grid) {
    const rows = gridSet.images.map((im, i) => ({
      lr: rgbFromHost(im.lr),
      bicubic: rgbFromHost(im.bicubic),
      hr: rgbFromHost(im.hr),
      outputs: gridOutputs.map((o) => rgbFromHost(o[i])),
    }));
    const { image } = renderComparisonGrid(rows, {
      title: `${dir} (×${gridSet.scale}${v.degrade ? `, LR ${v.degrade}` : ''})`,
      modelLabels: results.map((r, i) => gridLabel(entries[i], v.checkpoint, r.name)),
      scale: gridSet.scale,
    });
    await mkdir(dirname(resolve(grid)), { recursive: true });
    await E.writeFileAtomic(grid, await encodeGridPng(image));
    console.log(`\ngrid: ${grid} (${image.width}×${image.height}: LR | bicubic | ${results.map((r) => r.name).join(' | ')} | HR)`);
  }
  if (v.json) {
    const pick = (m: MetricSet) => ({ psnr_y: m.psnr_y, ssim_y: m.ssim_y, sharpness: m.sharpness });
    const models = results.map((r) => ({
      ...pick(r.report.model),
      flat_sharpness: r.report.flatSharpness.model,
      phase_pattern: r.report.phasePattern.model,
      name: r.name,
      seconds: r.ms / 1000,
    }));
    // `model` is the first (or only) model, as before; `models` lists them all.
    console.log(
      JSON.stringify({
        images: report.images,
        scale: report.scale,
        bicubic: { ...pick(report.bicubic), flat_sharpness: report.flatSharpness.bicubic, phase_pattern: report.phasePattern.bicubic },
        original: { phase_pattern: report.phasePattern.original },
        model: models[0],
        ...(several ? { models } : {}),
        ...(v.degrade ? { degrade: v.degrade } : {}),
      }),
    );
  }
  return 0;
}

export const evalCommand: Command = {
  name: 'eval',
  usage: '--images DIR [-n NAME[,NAME…] [--texture T[,T…]] | --checkpoint FILE] [-s S] [--json]',
  options: OPTIONS,
  notes: NOTES,
  run,
};
