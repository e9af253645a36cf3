/**
 * A training run's folder (Node), holding everything a resume and a report need, as BasicSR's
 * experiment folders do:
 *
 *   checkpoints/step-000400/{generator,discriminator,optimizer}.safetensors + state.json
 *                                (+ generator-average.safetensors with --ema)
 *   checkpoints/latest.json      which step folder is the last complete checkpoint
 *   generator.safetensors        the latest generator (its weight average, with --ema), for
 *                                `srgan upscale --checkpoint`
 *   samples/step-000400.png      LR | bicubic | SR | HR grids on fixed held-out images
 *   loss.csv, loss.png           the loss log and its plot
 *   summary.md, summary.json     the run-time table and the final metrics
 *
 * A checkpoint is a folder of atomically written files, published by atomically rewriting
 * latest.json last: a crash mid-checkpoint leaves the previous one as the latest, never a mix.
 */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../engine/node.js';
import { exportedGenerator, type StepLog, type TrainerSnapshot, type TrainerState } from './trainer.js';
import type { GridImage } from './sample-grid.js';

export const LOG_COLUMNS = ['step', 'phase', 'g_content', 'g_adv', 'd_real', 'd_fake', 'lr', 'ms'] as const;
const KEEP_CHECKPOINTS = 2;
const AVERAGE_FILE = 'generator-average.safetensors';
const stepName = (step: number) => `step-${String(step).padStart(6, '0')}`;

export class RunFolder {
  constructor(readonly dir: string) {}

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Create the folder. A fresh run refuses a folder that already holds a checkpoint. */
  async init(resume: boolean): Promise<void> {
    if (!resume && (await exists(this.path('checkpoints', 'latest.json'))))
      throw new Error(`run folder ${this.dir} already holds a checkpoint: pass --resume to continue it, or choose another --out`);
    await mkdir(this.path('checkpoints'), { recursive: true });
    await mkdir(this.path('samples'), { recursive: true });
  }

  async writeCheckpoint(s: TrainerSnapshot): Promise<void> {
    const name = stepName(s.state.step);
    const dir = this.path('checkpoints', name);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, 'generator.safetensors'), s.generator);
    await writeFileAtomic(join(dir, 'discriminator.safetensors'), s.discriminator);
    await writeFileAtomic(join(dir, 'optimizer.safetensors'), s.optimizer);
    if (s.generatorAverage) await writeFileAtomic(join(dir, AVERAGE_FILE), s.generatorAverage);
    await writeFileAtomic(join(dir, 'state.json'), utf8(JSON.stringify(s.state, null, 1)));
    await writeFileAtomic(this.path('checkpoints', 'latest.json'), utf8(JSON.stringify({ step: s.state.step, dir: name })));
    await writeFileAtomic(this.path('generator.safetensors'), exportedGenerator(s));
    const old = (await readdir(this.path('checkpoints'))).filter((d) => /^step-\d+$/.test(d)).sort().slice(0, -KEEP_CHECKPOINTS);
    for (const d of old) await rm(this.path('checkpoints', d), { recursive: true, force: true });
  }

  /** The last complete checkpoint, or undefined in a fresh folder. */
  async readLatest(): Promise<TrainerSnapshot | undefined> {
    const pointer = this.path('checkpoints', 'latest.json');
    if (!(await exists(pointer))) return undefined;
    const { dir } = JSON.parse(await readFile(pointer, 'utf8')) as { dir: string };
    const at = (f: string) => this.path('checkpoints', dir, f);
    const average = (await exists(at(AVERAGE_FILE))) ? await readFile(at(AVERAGE_FILE)) : undefined;
    return {
      generator: await readFile(at('generator.safetensors')),
      discriminator: await readFile(at('discriminator.safetensors')),
      optimizer: await readFile(at('optimizer.safetensors')),
      ...(average ? { generatorAverage: average } : {}),
      state: JSON.parse(await readFile(at('state.json'), 'utf8')) as TrainerState,
    };
  }

  /** Rewrite the loss log with `rows` (on resume, rows past the checkpoint are dropped first). */
  async writeLog(rows: readonly StepLog[]): Promise<void> {
    const lines = [LOG_COLUMNS.join(','), ...rows.map((r) => LOG_COLUMNS.map((c) => fmtCell(r[c])).join(','))];
    await writeFileAtomic(this.path('loss.csv'), utf8(lines.join('\n') + '\n'));
  }

  async readLog(): Promise<StepLog[]> {
    if (!(await exists(this.path('loss.csv')))) return [];
    const [, ...lines] = (await readFile(this.path('loss.csv'), 'utf8')).trim().split('\n');
    return lines.filter(Boolean).map((line) => {
      const cells = line.split(',').map((c) => (c === '' ? NaN : Number(c)));
      return Object.fromEntries(LOG_COLUMNS.map((c, i) => [c, cells[i]])) as unknown as StepLog;
    });
  }

  async writeGrid(step: number, grid: GridImage): Promise<string> {
    const file = this.path('samples', `${stepName(step)}.png`);
    await writeFileAtomic(file, await pngFromRgb(grid));
    return file;
  }

  async writePlot(svg: string): Promise<void> {
    await writeFileAtomic(this.path('loss.png'), await sharp(Buffer.from(svg)).png().toBuffer());
  }

  async writeSummary(markdown: string, json: unknown): Promise<void> {
    await writeFile(this.path('summary.md'), markdown);
    await writeFileAtomic(this.path('summary.json'), utf8(JSON.stringify(json, null, 2) + '\n'));
  }

  async countSamples(): Promise<number> {
    return (await readdir(this.path('samples'))).filter((f) => f.endsWith('.png')).length;
  }
}

export function pngFromRgb(img: GridImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 3 },
  }).png().toBuffer();
}

function fmtCell(v: number): string {
  return Number.isNaN(v) ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

const utf8 = (s: string) => new TextEncoder().encode(s);

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
