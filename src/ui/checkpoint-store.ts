/**
 * The page's side of the runs saved in IndexedDB (src/srgan/store/run-store-browser.ts; the worker
 * writes them): the list, showing a saved run (its loss log, sample grids, summary and generator,
 * with no training needed), new runs, rename, delete, downloads, and a checkpoint uploaded as files.
 * Every action refreshes the list, so what the page shows is what is stored.
 */
import { parseMetricsCsv } from '../srgan/report/metrics-log.js';
import { REPORT_FILES } from '../srgan/report/run-report.js';
import type { SrganConfig } from '../srgan/config.js';
import type { TrainerSnapshot } from '../srgan/train/trainer.js';
import { RunFiles, checkpointFiles, logCsv } from '../srgan/store/run-store.js';
import { BrowserRunStore, createRun, deleteRun, getRun, listRuns, renameRun, type RunMeta } from '../srgan/store/run-store-browser.js';
import { totalSteps } from '../srgan/train/schedule.js';
import type { GridShot } from './state.js';
import { isActive, store } from './state.js';
import { download } from './styles.js';

const filesOf = (id: string) => new RunFiles(new BrowserRunStore(id));
const blob = (b: Uint8Array, type = 'application/octet-stream') => new Blob([b as BlobPart], { type });
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** Re-read the list of saved runs. */
export async function refreshRuns(): Promise<RunMeta[]> {
  try {
    const runs = await listRuns();
    store.update({ runs, runsError: undefined });
    return runs;
  } catch (e) {
    store.update({ runsError: `The saved runs could not be read: ${(e as Error).message}` });
    return [];
  }
}

/** Run a list action; its failure is shown above the list. */
async function act(what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    store.update({ runsError: undefined });
  } catch (e) {
    store.update({ runsError: `${what}: ${(e as Error).message}` });
  }
  await refreshRuns();
}

const defaultName = (c: SrganConfig) =>
  `${c.preset} ${c.generator.blocks}×${c.generator.channels}, ${new Date().toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;

/** A new, empty run in IndexedDB; training fills it. */
export async function newRun(config: SrganConfig, data: RunMeta['data']): Promise<RunMeta> {
  const meta = await createRun({ name: defaultName(config), preset: config.preset, total: totalSteps(config), data });
  await refreshRuns();
  return meta;
}

/** Put a saved run on screen (chart, grids, summary) and offer its generator to Upscale; nothing trains. */
export async function showRun(id: string): Promise<void> {
  const meta = await getRun(id);
  if (!meta) throw new Error('this run is no longer saved');
  const files = filesOf(id);
  const logs = await files.readLog();
  const grids: GridShot[] = [];
  // The run report's whole-image grids when the run has them, else its crop grids (older runs).
  const samples = await files.store.list('samples/');
  const whole = samples.filter((n) => /^samples\/grid-step-\d+\.png$/.test(n));
  for (const name of whole.length ? whole : samples.filter((n) => /^samples\/step-\d+\.png$/.test(n))) {
    const png = await files.store.read(name);
    if (png) grids.push({ step: Number(/(\d+)\.png$/.exec(name)?.[1] ?? 0), url: URL.createObjectURL(blob(png, 'image/png')) });
  }
  const csv = await files.store.read(REPORT_FILES.metricsCsv);
  const sheet = await files.store.read(REPORT_FILES.contactSheet);
  if (store.state.train.contactSheet) URL.revokeObjectURL(store.state.train.contactSheet);
  for (const g of store.state.train.grids) URL.revokeObjectURL(g.url);
  const generator = await files.store.read('generator.safetensors');
  if (generator) store.update({ trainedGenerator: { bytes: generator, step: meta.step, label: meta.name } });
  store.updateTrain({
    runId: id,
    runName: meta.name,
    status: 'idle',
    step: meta.step,
    total: meta.total,
    logs,
    grids,
    metrics: csv ? parseMetricsCsv(new TextDecoder().decode(csv)) : [],
    contactSheet: sheet ? URL.createObjectURL(blob(sheet, 'image/png')) : undefined,
    summary: text(await files.store.read('summary.md')),
    savedStep: meta.step,
    stepsPerSec: 0,
    etaSec: 0,
    message: `Saved run "${meta.name}", step ${meta.step} of ${meta.total}`,
    skipped: [],
    dataUsed: undefined,
  });
}

export function renameSavedRun(id: string, name: string): Promise<void> {
  return act('Rename', async () => {
    await renameRun(id, name);
    if (store.state.train.runId === id) store.updateTrain({ runName: name.trim() });
  });
}

export function deleteSavedRun(id: string): Promise<void> {
  return act('Delete', async () => {
    const t = store.state.train;
    if (t.runId === id && isActive(t.status)) throw new Error('stop the run before deleting it');
    await deleteRun(id);
    if (t.runId === id) {
      for (const g of t.grids) URL.revokeObjectURL(g.url);
      store.updateTrain({
        runId: undefined,
        runName: undefined,
        status: 'idle',
        step: 0,
        total: 0,
        logs: [],
        grids: [],
        metrics: [],
        contactSheet: undefined,
        summary: undefined,
        savedStep: undefined,
        stepsPerSec: 0,
        etaSec: 0,
        message: '',
      });
    }
  });
}

const fileBase = (m: RunMeta) => m.name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || m.id;

/** The run's generator (its weight average when it keeps one), for upscaling anywhere. */
export function downloadGenerator(id: string): Promise<void> {
  return act('Download', async () => {
    const meta = await getRun(id);
    const bytes = await filesOf(id).store.read('generator.safetensors');
    if (!meta || !bytes) throw new Error('this run has no saved generator yet');
    download(blob(bytes), `${fileBase(meta)}.generator.safetensors`);
  });
}

/** The latest checkpoint as the files `srgan train` writes in a step folder (they upload back, and `--resume` reads them). */
export function downloadCheckpoint(id: string): Promise<void> {
  return act('Download', async () => {
    const s = await filesOf(id).readLatest();
    if (!s) throw new Error('this run has no saved checkpoint yet');
    downloadSnapshot(s);
  });
}

export function downloadSnapshot(s: TrainerSnapshot): void {
  for (const [name, bytes] of checkpointFiles(s)) {
    if (!name.startsWith('checkpoints/step-')) continue;
    const base = name.slice(name.lastIndexOf('/') + 1);
    download(blob(bytes, base.endsWith('.json') ? 'application/json' : undefined), base);
  }
}

/** "Use in Upscale": the run's generator becomes the Upscale view's "trained here" model, selected. */
export function useInUpscale(id: string): Promise<void> {
  return act('Use in Upscale', async () => {
    const meta = await getRun(id);
    const bytes = await filesOf(id).store.read('generator.safetensors');
    if (!meta || !bytes) throw new Error('this run has no saved generator yet');
    store.update({ trainedGenerator: { bytes, step: meta.step, label: meta.name }, upscaleTrained: true, tab: 'upscale' });
  });
}

/** Checkpoint files the user uploaded become a saved run (which continues like any other). */
export async function importSnapshot(s: TrainerSnapshot, name: string): Promise<RunMeta> {
  const cfg = s.state.config;
  const meta = await createRun({ name, preset: cfg.preset, total: totalSteps(cfg), data: 'bundled' });
  await new BrowserRunStore(meta.id).commit([...checkpointFiles(s), ['loss.csv', new TextEncoder().encode(logCsv([]))]], [], {
    step: s.state.step,
    total: totalSteps(cfg),
    preset: cfg.preset,
  });
  await refreshRuns();
  return meta;
}
