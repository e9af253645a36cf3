/**
 * A training run is a set of named files, the same names wherever it is kept (a folder on Node,
 * IndexedDB records in the browser), as BasicSR's experiment folders hold everything a resume and a
 * report need:
 *
 *   checkpoints/step-000400/{generator,discriminator,optimizer}.safetensors + state.json
 *                                (+ generator-average.safetensors with a weight average)
 *   checkpoints/latest.json      which step folder is the last complete checkpoint
 *   generator.safetensors        the latest generator (its weight average when there is one), for upscaling
 *   samples/step-000400.png      LR | bicubic | SR | HR grids on fixed held-out images
 *   loss.csv, loss.svg           the loss log and its plot (plus loss.png where the store can rasterise SVG)
 *   summary.md, summary.json     the run-time table and the final metrics
 *
 * `RunStore` is the small interface a store implements (run-store-node.ts, run-store-browser.ts);
 * `RunFiles` is the layout above, written once over it. A checkpoint is one `commit`: its files and
 * the new latest.json are written before the old step folders are removed, so a failed or
 * interrupted write (a crash, a full disk, a refused IndexedDB quota) leaves the previous checkpoint
 * as the latest, never a mix.
 */
import type { StepLog, TrainerSnapshot, TrainerState } from '../train/trainer.js';
import { exportedGenerator } from '../train/trainer.js';
import type { GridImage } from '../report/sample-grid.js';
import { ModelFileError } from '../errors.js';

/** What a store may record about a run besides its files (the app's list of runs shows it). */
export interface CheckpointInfo {
  step: number;
  total: number;
  preset: string;
}

export interface RunStore {
  /** For messages: a folder's path, or the browser run's name. */
  readonly label: string;
  /** A file's bytes, or undefined when the run has no such file. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** The names of the run's files that start with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Write `files` in order, then remove `remove`. A store with transactions does it all or
   * nothing; a folder writes each file atomically, in order. `info` describes the run after a
   * checkpoint (stores that keep a list of runs record it in the same write).
   */
  commit(files: readonly (readonly [string, Uint8Array])[], remove?: readonly string[], info?: CheckpointInfo): Promise<void>;
  /** 8-bit RGB → PNG bytes. */
  encodePng(img: GridImage): Promise<Uint8Array>;
  /** SVG → PNG bytes, where the platform can (Node with sharp; not a browser worker). */
  rasterizeSvg?(svg: string): Promise<Uint8Array>;
  /** PNG bytes → 8-bit RGB, where the platform can (Node with sharp); the run report reads back its frames with it. */
  decodePng?(png: Uint8Array): Promise<GridImage>;
}

/** g_fm, g_phase and g_flat came last, so logs written before them read with them empty. */
export const LOG_COLUMNS = ['step', 'phase', 'g_content', 'g_adv', 'd_real', 'd_fake', 'lr', 'ms', 'g_fm', 'g_phase', 'g_flat'] as const;
/** Step folders kept: the latest and the one before it. */
const KEEP_CHECKPOINTS = 2;
const AVERAGE_FILE = 'generator-average.safetensors';
const SNAPSHOT_FILES = ['generator.safetensors', 'discriminator.safetensors', 'optimizer.safetensors'] as const;
export const stepName = (step: number) => `step-${String(step).padStart(6, '0')}`;
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** The loss log as CSV text (empty cells for losses a phase does not compute). */
export function logCsv(rows: readonly StepLog[]): string {
  const cell = (v: number) => (Number.isNaN(v) ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(6));
  return [LOG_COLUMNS.join(','), ...rows.map((r) => LOG_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export function parseLogCsv(csv: string): StepLog[] {
  const [, ...lines] = csv.trim().split('\n');
  return lines.filter(Boolean).map((line) => {
    const cells = line.split(',').map((c) => (c === '' ? NaN : Number(c)));
    return Object.fromEntries(LOG_COLUMNS.map((c, i) => [c, cells[i] ?? NaN])) as unknown as StepLog;
  });
}

/** The files of a checkpoint, by their names in the run (the step folder, latest.json, the exported generator). */
export function checkpointFiles(s: TrainerSnapshot): [string, Uint8Array][] {
  const dir = `checkpoints/${stepName(s.state.step)}`;
  return [
    ...SNAPSHOT_FILES.map((f): [string, Uint8Array] => [`${dir}/${f}`, s[f.replace('.safetensors', '') as 'generator']]),
    ...(s.generatorAverage ? [[`${dir}/${AVERAGE_FILE}`, s.generatorAverage] as [string, Uint8Array]] : []),
    [`${dir}/state.json`, utf8(JSON.stringify(s.state, null, 1))],
    ['checkpoints/latest.json', utf8(JSON.stringify({ step: s.state.step, dir: stepName(s.state.step) }))],
    ['generator.safetensors', exportedGenerator(s)],
  ];
}

export class RunFiles {
  constructor(readonly store: RunStore) {}

  async hasCheckpoint(): Promise<boolean> {
    return (await this.store.read('checkpoints/latest.json')) !== undefined;
  }

  /**
   * A checkpoint, with the loss log up to it, in one commit; the step folders older than the last
   * KEEP_CHECKPOINTS are removed after the new one is written.
   */
  async writeCheckpoint(s: TrainerSnapshot, logs: readonly StepLog[], total: number): Promise<void> {
    const files = [...checkpointFiles(s), ['loss.csv', utf8(logCsv(logs))] as [string, Uint8Array]];
    const keep = new Set(files.map(([n]) => n));
    const names = await this.store.list('checkpoints/step-');
    const dirs = [...new Set(names.map((n) => n.split('/')[1]))].filter((d) => d !== stepName(s.state.step)).sort();
    const old = new Set(dirs.slice(0, Math.max(0, dirs.length - (KEEP_CHECKPOINTS - 1))));
    const remove = names.filter((n) => old.has(n.split('/')[1]) && !keep.has(n));
    await this.store.commit(files, remove, { step: s.state.step, total, preset: s.state.config.preset });
  }

  /** The last complete checkpoint, or undefined in a run without one. */
  async readLatest(): Promise<TrainerSnapshot | undefined> {
    const pointer = await this.store.read('checkpoints/latest.json');
    if (!pointer) return undefined;
    const { dir } = JSON.parse(text(pointer)) as { dir: string };
    const at = async (f: string) => {
      const b = await this.store.read(`checkpoints/${dir}/${f}`);
      if (!b) throw new ModelFileError(`${this.store.label}: checkpoints/${dir}/${f} is missing`);
      return b;
    };
    const average = await this.store.read(`checkpoints/${dir}/${AVERAGE_FILE}`);
    return {
      generator: await at('generator.safetensors'),
      discriminator: await at('discriminator.safetensors'),
      optimizer: await at('optimizer.safetensors'),
      ...(average ? { generatorAverage: average } : {}),
      state: JSON.parse(text(await at('state.json'))) as TrainerState,
    };
  }

  async readLog(): Promise<StepLog[]> {
    const csv = await this.store.read('loss.csv');
    return csv ? parseLogCsv(text(csv)) : [];
  }

  async writeGrid(step: number, grid: GridImage): Promise<{ name: string; png: Uint8Array }> {
    const name = `samples/${stepName(step)}.png`;
    const png = await this.store.encodePng(grid);
    await this.store.commit([[name, png]]);
    return { name, png };
  }

  /** The loss plot as SVG, and as PNG where the store can rasterise it. */
  async writePlot(svg: string): Promise<void> {
    const files: [string, Uint8Array][] = [['loss.svg', utf8(svg)]];
    if (this.store.rasterizeSvg) files.push(['loss.png', await this.store.rasterizeSvg(svg)]);
    await this.store.commit(files);
  }

  async writeSummary(markdown: string, json: unknown): Promise<void> {
    await this.store.commit([
      ['summary.md', utf8(markdown)],
      ['summary.json', utf8(JSON.stringify(json, null, 2) + '\n')],
    ]);
  }

  async countSamples(): Promise<number> {
    return (await this.store.list('samples/')).filter((f) => f.endsWith('.png')).length;
  }
}
