/**
 * The training worker: its own GPUDevice (initEngine in the worker), so the page stays responsive
 * while SRGAN trains. It decodes the images, runs the Trainer step by step, and posts every step's
 * losses, a LR | bicubic | SR | HR grid every `gridEvery` steps, a checkpoint every
 * `checkpointEvery` steps (the page keeps it in IndexedDB), and, when asked, the kernel profile.
 * Pause, resume and stop take effect between steps.
 */
import * as E from '../engine/index.js';
import { PhotoDataset, type DatasetState } from '../srgan/data/dataset.js';
import { decodeImageBlob } from '../srgan/image/browser.js';
import { toRgbPlanes, type HostImage } from '../srgan/image/types.js';
import { Vgg19Features } from '../srgan/models/vgg19.js';
import { centreCrops, renderSampleGrid, type GridImage } from '../srgan/train/sample-grid.js';
import { totalSteps } from '../srgan/train/schedule.js';
import { summaryMarkdown } from '../srgan/train/summary.js';
import { NonFiniteLossError, Trainer, type HrBatch, type TrainerSnapshot } from '../srgan/train/trainer.js';
import type { FromWorker, ImageInput, StartMessage, ToWorker } from './train-protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let paused = false;
let stopped = false;
let wake: (() => void) | undefined;

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'start') void train(m).catch((err: Error) => post({ type: 'error', message: err.message }));
  else if (m.type === 'pause') paused = true;
  else if (m.type === 'resume') { paused = false; wake?.(); }
  else if (m.type === 'stop') { stopped = true; paused = false; wake?.(); }
};

async function decodeAll(inputs: ImageInput[], skipped: { name: string; reason: string }[]): Promise<HostImage[]> {
  const out: HostImage[] = [];
  for (const input of inputs) {
    try {
      const blob = 'file' in input ? input.file : await (await fetch(input.url)).blob();
      out.push(await decodeImageBlob(blob, input.name));
    } catch (err) {
      skipped.push({ name: input.name, reason: (err as Error).message });
    }
  }
  return out;
}

async function gridPng(g: GridImage): Promise<Blob> {
  const rgba = new Uint8ClampedArray(g.width * g.height * 4);
  for (let i = 0; i < g.width * g.height; i++) rgba.set([g.data[3 * i], g.data[3 * i + 1], g.data[3 * i + 2], 255], 4 * i);
  const canvas = new OffscreenCanvas(g.width, g.height);
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, g.width, g.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

async function train(m: StartMessage): Promise<void> {
  const eng = await E.initEngine({ log: () => {} });
  post({ type: 'ready', adapter: eng.adapter.description || eng.adapter.vendor, isSoftware: eng.adapter.isSoftware });
  const cfg = m.config;
  const skipped: { name: string; reason: string }[] = [];
  const images = await decodeAll(m.images, skipped);
  const data = PhotoDataset.fromImages(images, {
    crop: cfg.hrCrop, batch: cfg.batch, seed: cfg.seed,
    warn: (msg) => { const [, name, reason] = /^skipping (.+?): (.*)$/.exec(msg) ?? [, '', msg]; skipped.push({ name: name!, reason: reason! }); },
  });
  post({ type: 'data', used: data.sources.length, skipped });
  const gridSource = (await decodeAll(m.gridImages, [])).concat(images);
  const gridBatch: HrBatch | undefined = centreCrops(gridSource.map((im) => ({ width: im.width, height: im.height, rgb: toRgbPlanes(im) })), cfg.hrCrop, 2);

  let vgg: Vgg19Features | undefined;
  if (cfg.content === 'vgg') {
    if (!m.vggWeights) throw new Error('the VGG content loss needs a VGG19 weights file (.safetensors)');
    vgg = new Vgg19Features(cfg.vggLayer);
    vgg.loadWeights(m.vggWeights);
  }
  const trainer = new Trainer(cfg, vgg);
  if (m.resume) {
    trainer.restore(m.resume);
    try { data.restore(m.resume.state.data as DatasetState); } catch { post({ type: 'note', message: 'the data order could not be restored; continuing with a fresh order' }); }
  } else if (m.initGenerator) {
    E.loadCheckpoint(trainer.generator, m.initGenerator);
  }

  const total = totalSteps(cfg);
  const started = Date.now(), firstStep = trainer.step;
  let grids = 0, nan = 0;
  let lastGood: TrainerSnapshot = m.resume ?? await trainer.snapshot(data.state);
  const profiling = m.profile && eng.profiler.supported;
  if (m.profile && !profiling) post({ type: 'note', message: "this adapter has no 'timestamp-query': training runs unprofiled" });
  if (profiling) { eng.profiler.reset(); eng.profiler.enable(); }

  const grid = async () => {
    if (!gridBatch) return;
    const png = await gridPng(await renderSampleGrid(trainer, gridBatch));
    grids++;
    post({ type: 'grid', step: trainer.step, png });
  };
  const checkpoint = async () => {
    lastGood = await trainer.snapshot(data.state);
    post({ type: 'checkpoint', snapshot: lastGood });
  };
  const profile = async () => {
    if (!profiling) return;
    await eng.sync();
    const rows = await eng.profiler.report();
    // Nothing ran since the last report (e.g. the run ended right after one): keep the last profile shown.
    if (rows.length) post({ type: 'profile', step: trainer.step, rows, events: await eng.profiler.events() });
    eng.profiler.reset();
  };

  if (!m.resume) await grid();
  while (trainer.step < total && !stopped) {
    if (paused) {
      post({ type: 'paused', step: trainer.step });
      await new Promise<void>((r) => { wake = r; });
      if (stopped) break;
      post({ type: 'resumed', step: trainer.step });
    }
    try {
      const log = await trainer.trainStep(await data.next());
      post({ type: 'step', log, total });
    } catch (err) {
      if (!(err instanceof NonFiniteLossError)) throw err;
      const scale = trainer.lrScale / 2;
      nan++;
      trainer.restore(lastGood);
      trainer.lrScale = scale;
      post({ type: 'note', message: `step ${err.step}: loss is not finite; back to step ${trainer.step}, learning rate ×${scale}` });
      continue;
    }
    if (trainer.step % m.gridEvery === 0) { await grid(); await profile(); }
    if (trainer.step % m.checkpointEvery === 0) await checkpoint();
  }
  if (profiling) { await profile(); eng.profiler.enable(false); }
  if (lastGood.state.step !== trainer.step) await checkpoint();
  if (trainer.step % m.gridEvery !== 0) await grid();
  const seconds = (Date.now() - started) / 1000;
  const summary = summaryMarkdown({
    adapter: `${eng.adapter.description || eng.adapter.vendor}${eng.adapter.isSoftware ? ' (software)' : ''}`,
    preset: cfg.preset, config: cfg, steps: trainer.step, stepsThisSession: trainer.step - firstStep,
    started: new Date(started).toISOString(), ended: new Date().toISOString(), seconds,
    stepsPerSecond: (trainer.step - firstStep) / Math.max(seconds, 1e-9), images: grids, recoveries: { nan, deviceLost: 0 },
  });
  post({ type: 'done', step: trainer.step, stopped, summary });
  trainer.dispose();
  vgg?.dispose();
}
