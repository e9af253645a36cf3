/**
 * What `srgan upscale` will read and write, worked out and checked before the GPU starts: the
 * input is a file or a folder, the output a file (its extension picks the format) or an existing
 * folder; every input's header is read, so a folder run knows which files it will skip and a
 * single image that cannot be read or written fails at once.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readImageInfo } from '../srgan/image/node.js';
import { UsageError } from './command.js';
import { formatOf, sizeProblem, type OutputFormat } from './image-output.js';

export interface UpscaleJob {
  input: string;
  output: string;
  format: OutputFormat;
  width: number;
  height: number;
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
  scale: number;
  /** Output extension for folder outputs (png, jpg, jpeg, webp); default png. */
  ext?: string;
  /** Added to each input's base name in an output folder; default `_x{scale}`. */
  suffix?: string;
}

const C = 'srgan upscale';
const kindOf = (path: string) => stat(path).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => 'missing' as const);

/** Header check of one input against its output format; the reason it cannot be done, or the job. */
async function probe(input: string, output: string, format: OutputFormat, scale: number): Promise<UpscaleJob | string> {
  let info;
  try {
    info = await readImageInfo(input);
  } catch (e) {
    return `cannot read ${input}: ${(e as Error & { reason?: string }).reason ?? (e as Error).message}`.replace(/\s*\n\s*/g, ' ');
  }
  const tooBig = sizeProblem(format, info.width * scale, info.height * scale);
  if (tooBig) return `${input}: the result, ${tooBig}`;
  return { input, output, format, width: info.width, height: info.height };
}

export async function planUpscale(o: PlanOptions): Promise<UpscalePlan> {
  const inKind = await kindOf(o.input), outKind = await kindOf(o.output);
  if (inKind === 'missing') throw new UsageError(`${C}: input not found: ${o.input}`);
  const extFormat = o.ext === undefined ? undefined : formatOf(`x.${o.ext}`);
  const suffix = o.suffix ?? `_x${o.scale}`;
  if (/[\\/]/.test(suffix)) throw new UsageError(`${C}: --suffix is added to file names and cannot hold a path separator, got "${suffix}"`);
  const named = (input: string, dir: string) => join(dir, `${basename(input, extname(input))}${suffix}.${o.ext ?? 'png'}`);

  if (inKind === 'file') {
    let output: string, format: OutputFormat;
    if (outKind === 'dir') {
      output = named(o.input, o.output);
      format = extFormat ?? 'png';
    } else {
      const f = formatOf(o.output);
      if (!f) throw new UsageError(`${C}: -o ${o.output}: unknown image extension "${extname(o.output)}" (use .png, .jpg, .jpeg or .webp, or an existing folder)`);
      if (extFormat && extFormat !== f) throw new UsageError(`${C}: -o ${o.output} and --ext ${o.ext} ask for different formats`);
      if ((await kindOf(dirname(o.output))) !== 'dir') throw new UsageError(`${C}: output folder ${dirname(o.output)} does not exist`);
      output = o.output;
      format = f;
    }
    if (resolve(output) === resolve(o.input)) throw new UsageError(`${C}: the output ${output} would overwrite the input`);
    const job = await probe(o.input, output, format, o.scale);
    if (typeof job === 'string') throw new Error(job);
    return { folder: false, jobs: [job], skipped: [] };
  }

  if (outKind !== 'dir')
    throw new UsageError(`${C}: -i ${o.input} is a folder, so -o must be an existing folder: ${o.output} ${outKind === 'missing' ? 'does not exist' : 'is a file'}`);
  const entries = (await readdir(o.input, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()))
    .map((e) => e.name).sort();
  const jobs: UpscaleJob[] = [], skipped: string[] = [];
  const claimed = new Map<string, string>();
  for (const name of entries) {
    const input = join(o.input, name), output = named(name, o.output);
    if (resolve(output) === resolve(input)) throw new UsageError(`${C}: ${output} would overwrite its input (give another -o or a --suffix)`);
    const other = claimed.get(output);
    if (other) throw new UsageError(`${C}: ${other} and ${input} would both be written to ${output} (rename one)`);
    const job = await probe(input, output, extFormat ?? 'png', o.scale);
    if (typeof job === 'string') skipped.push(job);
    else {
      jobs.push(job);
      claimed.set(output, input);
    }
  }
  return { folder: true, jobs, skipped };
}
