/**
 * What `srgan upscale` will read and write, worked out and checked before the GPU starts: the
 * input is a file or a folder (with -r, its subfolders too), the output a file (its extension picks
 * the format) or a folder, created when missing. Every input's header is read, so a folder run
 * knows which files it will skip and a single image that cannot be read fails at once; every
 * output folder is created and proven writable, so a permission problem fails in a second, not
 * after an hour of upscaling.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { readImageInfo } from '../srgan/image/node.js';
import type { Channels } from '../srgan/image/types.js';
import { UsageError } from './command.js';
import { formatOf, sizeProblem, type OutputFormat } from './image-output.js';
import { prepareOutputFolder } from './output-folders.js';
import { DataError } from '../srgan/errors.js';

export interface UpscaleJob {
  input: string;
  output: string;
  format: OutputFormat;
  width: number;
  height: number;
  channels: Channels;
  bitDepth: 8 | 16;
  /** The written file's size: the model's scale, or --outscale's. */
  outWidth: number;
  outHeight: number;
}

export interface UpscalePlan {
  folder: boolean;
  jobs: UpscaleJob[];
  /** One line per input left out, with the reason. */
  skipped: string[];
}

export interface PlanOptions {
  input: string;
  output: string;
  /** The model's scale. */
  scale: number;
  /** The written files' scale (--outscale), when it is not the model's: resized after the model. */
  outscale?: number;
  /** Output extension for folder outputs (png, jpg, jpeg, webp, or auto: the input's own); default png. */
  ext?: string;
  /** Added to each input's base name in an output folder; default `_x{outscale or scale}`. */
  suffix?: string;
  /** With a folder input, also its subfolders, mirrored in the output folder. */
  recursive?: boolean;
}

const C = 'srgan upscale';
const kindOf = (path: string) =>
  stat(path).then(
    (s) => (s.isDirectory() ? 'dir' : 'file'),
    () => 'missing' as const,
  );

/** Header check of one input against its output format; the reason it cannot be done, or the job. */
async function probe(input: string, output: string, format: OutputFormat, outscale: number): Promise<UpscaleJob | string> {
  let info;
  try {
    info = await readImageInfo(input);
  } catch (e) {
    return `cannot read ${input}: ${(e as Error & { reason?: string }).reason ?? (e as Error).message}`.replace(/\s*\n\s*/g, ' ');
  }
  const outWidth = Math.max(1, Math.round(info.width * outscale)),
    outHeight = Math.max(1, Math.round(info.height * outscale));
  const tooBig = sizeProblem(format, outWidth, outHeight);
  if (tooBig) return `${input}: the result, ${tooBig}`;
  return { input, output, format, width: info.width, height: info.height, channels: info.channels, bitDepth: info.bitDepth, outWidth, outHeight };
}

/** Files of a folder (dot-files left out), relative to `root`; with `recursive`, those of its subfolders too, except `skip`. */
async function listInputs(root: string, recursive: boolean, skip: string, dir = root): Promise<string[]> {
  const files: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isFile() || e.isSymbolicLink()) files.push(relative(root, path));
    // The output folder may sit inside the input folder: its files are results, not inputs.
    else if (recursive && e.isDirectory() && resolve(path) !== skip) files.push(...(await listInputs(root, recursive, skip, path)));
  }
  return files;
}

export async function planUpscale(o: PlanOptions): Promise<UpscalePlan> {
  const inKind = await kindOf(o.input),
    outKind = await kindOf(o.output);
  if (inKind === 'missing') throw new UsageError(`${C}: input not found: ${o.input}`);
  const auto = o.ext === 'auto';
  const extFormat = o.ext === undefined || auto ? undefined : formatOf(`x.${o.ext}`);
  const outscale = o.outscale ?? o.scale;
  const suffix = o.suffix ?? `_x${outscale}`;
  if (/[\\/]/.test(suffix)) throw new UsageError(`${C}: --suffix is added to file names and cannot hold a path separator, got "${suffix}"`);
  // --ext auto keeps a PNG, JPEG or WebP input's own extension; anything else (TIFF, GIF) becomes PNG.
  const extensionFor = (input: string) => (auto && formatOf(input) ? extname(input).slice(1).toLowerCase() : o.ext && !auto ? o.ext : 'png');
  const named = (input: string, dir: string) => join(dir, `${basename(input, extname(input))}${suffix}.${extensionFor(input)}`);
  const toFolder = outKind === 'dir' || inKind === 'dir' || o.output.endsWith('/') || o.output.endsWith(sep);

  let plan: UpscalePlan;
  if (inKind === 'file') {
    let output: string;
    if (toFolder) output = named(o.input, o.output);
    else {
      const f = formatOf(o.output);
      if (!f)
        throw new UsageError(
          `${C}: -o ${o.output}: unknown image extension "${extname(o.output)}" (use .png, .jpg, .jpeg or .webp, or end it with / for a folder)`,
        );
      if (extFormat && extFormat !== f) throw new UsageError(`${C}: -o ${o.output} and --ext ${o.ext} ask for different formats`);
      output = o.output;
    }
    if (resolve(output) === resolve(o.input)) throw new UsageError(`${C}: the output ${output} would overwrite the input`);
    const job = await probe(o.input, output, formatOf(output)!, outscale);
    if (typeof job === 'string') throw new DataError(job);
    plan = { folder: false, jobs: [job], skipped: [] };
  } else {
    if (outKind === 'file') throw new UsageError(`${C}: -i ${o.input} is a folder, so -o must be a folder: ${o.output} is a file`);
    const jobs: UpscaleJob[] = [],
      skipped: string[] = [];
    const claimed = new Map<string, string>();
    for (const rel of await listInputs(o.input, !!o.recursive, resolve(o.output))) {
      const input = join(o.input, rel),
        output = named(rel, join(o.output, dirname(rel)));
      if (resolve(output) === resolve(input)) throw new UsageError(`${C}: ${output} would overwrite its input (give another -o or a --suffix)`);
      const other = claimed.get(output);
      if (other) throw new UsageError(`${C}: ${other} and ${input} would both be written to ${output} (rename one)`);
      const job = await probe(input, output, formatOf(output)!, outscale);
      if (typeof job === 'string') skipped.push(job);
      else {
        jobs.push(job);
        claimed.set(output, input);
      }
    }
    plan = { folder: true, jobs, skipped };
  }
  // Last, once everything else is known to be right: no folder is made for a run that cannot start.
  for (const dir of new Set(plan.jobs.map((j) => dirname(j.output)))) await prepareOutputFolder(C, dir);
  return plan;
}
