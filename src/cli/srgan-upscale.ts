/** `srgan upscale`: a photo or a folder of photos, ×4 (or the model's scale) through seamless tiles, streamed to the file. */
import { basename } from 'node:path';
import * as E from '../engine/node.js';
import { decodeSamples } from '../srgan/image/node.js';
import { defaultTile, progressTotal, upscaleStrips } from '../srgan/serve/upscale.js';
import { SHIPPED_MODELS } from '../srgan/shipped-models.js';
import { PRETRAINED_NAMES } from '../srgan/pretrained/catalogue.js';
import { intOption, numberOption, parseOptions, required, UsageError, type Command, type OptionTable } from './command.js';
import { OUTPUT_EXTENSIONS, streamOutput } from './image-output.js';
import { chooseModel } from './model-choice.js';
import { planUpscale, type UpscaleJob } from './upscale-plan.js';
import type { InferenceModel as SrModel } from '../srgan/serve/inference.js';
import { formatDuration, progressBar } from './progress.js';
import { BASE_RSS_MB, largeJobWarning, measureRate, STRIP_MB_PER_1000PX, windowPixels } from './upscale-estimate.js';
import { DataError } from '../srgan/errors.js';

const DEFAULT_TILE_PAD = 16;

const OPTIONS = {
  input: {
    type: 'string',
    short: 'i',
    arg: 'IMG|DIR',
    help: 'a PNG, JPEG or WebP image, or a folder of them (grey stays grey; alpha is upscaled bicubic; ' + '16-bit PNG stays 16-bit in a PNG)',
  },
  output: {
    type: 'string',
    short: 'o',
    arg: 'OUT|DIR',
    help:
      'the result: a file whose extension picks the format (.png, .jpg, .jpeg, .webp), ' +
      'or a folder (required when -i is a folder; created when missing; end the name with / to make one for a single image)',
  },
  model: {
    type: 'string',
    short: 'n',
    arg: 'NAME',
    help:
      `the model (default: default): ${SHIPPED_MODELS.map((m) => m.name).join(', ')} ` +
      `(shipped generators), or ${PRETRAINED_NAMES.join(', ')} (UpscalerJS's pretrained ESRGANs, once their npm package is installed)`,
  },
  scale: {
    type: 'string',
    short: 's',
    arg: 'S',
    help: "the model's upscaling factor: its own (4 for ours); 2, 3, 4 or 8 for the ESRGANs (default 4)",
  },
  outscale: {
    type: 'string',
    arg: 'F',
    help:
      "the written image's scale, any number > 0 (e.g. 2 or 3.5): the model runs at -s, then a Lanczos-3 " +
      "resize gives F × the input (as Real-ESRGAN's --outscale)",
  },
  checkpoint: { type: 'string', arg: 'FILE', help: "a generator .safetensors of your own (a run's generator.safetensors) instead of -n" },
  suffix: { type: 'string', arg: 'TEXT', help: 'added to each name written into an output folder (default _x4, i.e. _x{outscale or scale})' },
  ext: {
    type: 'string',
    arg: 'EXT',
    choices: [...OUTPUT_EXTENSIONS, 'auto'],
    help: 'format of the files written into an output folder ' + "(default png; auto keeps each input's own)",
  },
  recursive: { type: 'boolean', short: 'r', help: 'with a folder -i, also its subfolders, mirrored in the output folder' },
  tile: {
    type: 'string',
    short: 't',
    arg: 'N',
    help: "LR tile side; 0 = automatic (the default: the largest the adapter's buffer limits allow, ≤ 256)",
  },
  'tile-pad': {
    type: 'string',
    arg: 'N',
    help:
      `LR pixels of context around each tile, cut off after the model (default ${DEFAULT_TILE_PAD}; at ` +
      "least the model's receptive radius, or seams show)",
  },
  texture: {
    type: 'string',
    arg: 'T',
    help:
      'with -n srgan: how much of its GAN texture, from 0 (= default: faithful, a little soft) to 1 ' +
      "(= srgan, the default); a blend of the two networks' weights (srgan interpolate), as fast as either",
  },
  'self-ensemble': {
    type: 'boolean',
    help: 'average the model over the 8 flips and transpositions of the image (EDSR\'s "+": a little more PSNR for 8× the time)',
  },
} as const satisfies OptionTable;

const NOTES = `Everything is checked before the GPU starts: the options, the model, the paths, each input's
header and output size, and that every output folder exists (it is created) and can be written.
A folder run skips files it cannot read, with one warning line each, and ends with a count.
Exit codes: 0 done, 1 failure, 2 usage or config error.

Memory and time: tiles stream from the decoded input to the file, so memory grows with the width,
not the area: about ${BASE_RSS_MB} MB, plus the decoded input (3 bytes a pixel), plus ${STRIP_MB_PER_1000PX} MB per 1000 px
of the upscaled width (a 12-MP photo ×4 peaked at 736 MB). Time grows with the area: with no GPU,
the default model takes about 16 CPU-seconds per input megapixel on the CPU backend (the
default there) and about 3 CPU-minutes on SwiftShader; a GPU is far faster. Before a large input
starts, a warning gives its output size, memory and the time measured on this adapter; Ctrl-C
stops between tiles and removes the unfinished file.

examples:
  srgan upscale -i photo.jpg -o photo_x4.png
  srgan upscale -i photo.jpg -o photo_x4.png -n srgan --texture 0.5
  srgan upscale -i photos -o photos_x4/ -r --ext auto
  srgan upscale -i photo.jpg -o photo_x2.jpg --outscale 2
  srgan upscale -i photo.jpg -o photo_x2.jpg -n esrgan-slim -s 2`;

export interface RunOptions {
  tile: number;
  overlap: number;
  selfEnsemble: boolean;
  signal: AbortSignal;
}

/** One planned job: decode, upscale tile by tile, stream into the file; the line that reports it. */
export async function upscaleOne(model: SrModel, job: UpscaleJob, o: RunOptions): Promise<string> {
  const src = await decodeSamples(job.input, job.input, job); // the plan read its header
  const scale = model.scale,
    width = src.width * scale,
    height = src.height * scale;
  const sink = streamOutput({
    path: job.output,
    format: job.format,
    width,
    height,
    channels: src.channels,
    bitDepth: src.bitDepth,
    resizeTo: job.outWidth !== width || job.outHeight !== height ? { width: job.outWidth, height: job.outHeight } : undefined,
  });
  // Started before the first tile, so that the ETA after it counts that tile's time.
  const bar = progressBar(progressTotal(src, o.tile, o.overlap, o.selfEnsemble), `upscale ${basename(job.input)} (tiles)`);
  const t0 = performance.now();
  try {
    await upscaleStrips(
      (t) => model.run(t),
      { ...src, max: src.bitDepth === 16 ? 65535 : 255 },
      {
        scale,
        tile: o.tile,
        overlap: o.overlap,
        selfEnsemble: o.selfEnsemble,
        signal: o.signal,
        onProgress: (done) => bar.update(done),
      },
      (strip) => sink.write(strip),
    );
    bar.stop();
    await sink.finish();
  } catch (e) {
    bar.stop();
    await sink.abort();
    throw e;
  }
  return `${job.input} (${src.width}×${src.height}) → ${job.output} (${job.outWidth}×${job.outHeight}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

function parseOutscale(v: string | undefined): number | undefined {
  const f = numberOption('upscale', 'outscale', v);
  if (f !== undefined && !(f > 0 && f <= 64)) throw new UsageError(`srgan upscale: --outscale must be a number above 0 and at most 64, got "${v}"`);
  return f;
}

/** Warn before the work about large inputs, with a rate measured now on this adapter (only when some input is large enough to matter). */
async function warnAboutLargeJobs(model: SrModel, jobs: UpscaleJob[], o: RunOptions): Promise<void> {
  if (!jobs.some((j) => j.width * j.height >= 250_000)) return;
  const rate = await measureRate((t) => model.run(t));
  for (const job of jobs) {
    const line = largeJobWarning(job, rate * windowPixels(job, o.tile, o.overlap, o.selfEnsemble), model.scale);
    if (line) console.warn(line);
  }
  if (jobs.length > 1) {
    const total = jobs.reduce((s, j) => s + rate * windowPixels(j, o.tile, o.overlap, o.selfEnsemble), 0);
    console.warn(`note: ${jobs.length} images, about ${formatDuration(total)} in all on this adapter`);
  }
}

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('upscale', argv, OPTIONS);
  const input = required('upscale', 'input', v.input),
    output = required('upscale', 'output', v.output);
  const tile = intOption('upscale', 'tile', v.tile) || undefined; // 0 = automatic
  const overlap = intOption('upscale', 'tile-pad', v['tile-pad'], DEFAULT_TILE_PAD)!;
  const outscale = parseOutscale(v.outscale);
  const choice = await chooseModel('upscale', {
    model: v.model,
    checkpoint: v.checkpoint,
    scale: intOption('upscale', 'scale', v.scale),
    texture: numberOption('upscale', 'texture', v.texture),
  });
  const plan = await planUpscale({ input, output, scale: choice.scale, outscale, ext: v.ext, suffix: v.suffix, recursive: !!v.recursive });
  for (const line of plan.skipped) console.warn(`warning: skipping ${line.replace(/^cannot read /, '')}`);
  if (plan.jobs.length === 0) throw new DataError(`no image in ${input} could be read (${plan.skipped.length} skipped)`);
  const reduced = plan.jobs.filter((j) => j.bitDepth === 16 && j.format !== 'png');
  if (reduced.length)
    console.warn(
      `warning: ${reduced[0].input}${reduced.length > 1 ? ` and ${reduced.length - 1} more` : ''} ` +
        `${reduced.length > 1 ? 'have' : 'has'} 16 bits per sample; ${reduced[0].format.toUpperCase()} holds 8, so the result is reduced to 8 (write .png to keep 16)`,
    );

  await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const model = choice.load();
  const ac = new AbortController();
  // Ctrl-C or a kill: stop after the tile in flight, so the unfinished file is removed, not left behind.
  const stop = () => ac.abort(new Error('interrupted; the unfinished file was removed'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop);
  const opts: RunOptions = { tile: tile ?? defaultTile(overlap), overlap, selfEnsemble: !!v['self-ensemble'], signal: ac.signal };
  const scaleNote = outscale !== undefined && outscale !== choice.scale ? `, resized to ×${outscale}` : '';
  console.log(`srgan upscale: ${choice.label}${opts.selfEnsemble ? ' + self-ensemble' : ''}, ×${choice.scale}${scaleNote}`);
  const t0 = performance.now();
  let done = 0,
    failed = 0;
  try {
    await warnAboutLargeJobs(model, plan.jobs, opts);
    for (const job of plan.jobs) {
      try {
        console.log(await upscaleOne(model, job, opts));
        done++;
      } catch (e) {
        // A file whose header read but whose pixels do not decode: in a folder, skip it like the others.
        if (!plan.folder || ac.signal.aborted) throw e;
        console.warn(`warning: skipping ${job.input}: ${(e as Error).message}`);
        failed++;
      }
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, stop);
    model.dispose();
  }
  if (plan.folder) {
    const skipped = plan.skipped.length + failed;
    console.log(
      `upscaled ${done} of ${done + skipped} files into ${output}${skipped ? ` (${skipped} skipped)` : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return done > 0 ? 0 : 1;
}

export const upscaleCommand: Command = {
  name: 'upscale',
  usage: '-i IMG|DIR -o OUT|DIR [-n NAME] [-s S] [options]',
  options: OPTIONS,
  notes: NOTES,
  run,
};
