/**
 * The training worker: its own GPUDevice (initEngine in the worker), so the page stays responsive
 * while SRGAN trains. It decodes the images, runs the shared training loop (src/srgan/train/loop.ts:
 * NaN, GPU-error and device-loss recovery as in the CLI), and posts every step's
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
import { trainLoop } from '../srgan/train/loop.js';
import { Trainer, type HrBatch, type TrainerSnapshot } from '../srgan/train/trainer.js';
import type { FromWorker, ImageInput, StartMessage, ToWorker } from './train-protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let paused = false;
const stop = new AbortController();
let wake: (() => void) | undefined;

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'start') void train(m).catch((err: Error) => post({ type: 'error', message: err.message }));
  else if (m.type === 'pause') paused = true;
  else if (m.type === 'resume') { paused = false; wake?.(); }
  else if (m.type === 'stop') { stop.abort(); paused = false; wake?.(); }
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
  const profiler = () => E.engine().profiler; // the current device's (a device loss brings a new engine)
  post({ type: 'ready', adapter: E.describeAdapter(eng.adapter) });
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

  if (cfg.content === 'vgg' && !m.vggWeights) throw new Error('the VGG content loss needs a VGG19 weights file (.safetensors)');
  let vgg: Vgg19Features | undefined;
  /** A trainer on the current device (again after a device loss, with VGG loaded there too). */
  const makeTrainer = async () => {
    vgg?.dispose();
    vgg = undefined;
    if (cfg.content === 'vgg') {
      vgg = new Vgg19Features(cfg.vggLayer);
      vgg.loadWeights(m.vggWeights!);
    }
    return new Trainer(cfg, vgg);
  };
  const trainer = await makeTrainer();
  let lastGood: TrainerSnapshot | undefined;
  if (m.resume) {
    trainer.restore(m.resume);
    lastGood = m.resume;
    try {
      data.restore(m.resume.state.data as DatasetState);
    } catch {
      post({ type: 'note', message: 'the data order could not be restored; continuing with a fresh order' });
      lastGood = undefined; // a rewind must not restore the unreadable order
    }
  } else if (m.initGenerator) {
    E.loadCheckpoint(trainer.generator, m.initGenerator);
    trainer.resetAverage(); // the average starts from the uploaded weights, not the random ones
  }
  lastGood ??= await trainer.snapshot(data.state);

  const started = Date.now(), firstStep = trainer.step;
  let grids = 0;
  const profiling = m.profile && profiler().supported;
  if (m.profile && !profiling) post({ type: 'note', message: "this adapter has no 'timestamp-query': training runs unprofiled" });
  if (profiling) { profiler().reset(); profiler().enable(); }

  const grid = async (t: Trainer) => {
    if (!gridBatch) return;
    const png = await gridPng(await renderSampleGrid(t, gridBatch));
    grids++;
    post({ type: 'grid', step: t.step, png });
  };
  const profile = async (step: number) => {
    if (!profiling) return;
    await E.engine().sync();
    const rows = await profiler().report();
    // Nothing ran since the last report (e.g. the run ended right after one): keep the last profile shown.
    if (rows.length) post({ type: 'profile', step, rows, events: await profiler().events() });
    profiler().reset();
  };

  if (!m.resume) await grid(trainer);
  const total = totalSteps(cfg);
  const loop = await trainLoop({
    trainer, data, lastGood, until: total, sampleEvery: m.gridEvery, checkpointEvery: m.checkpointEvery,
    signal: stop.signal,
    beforeStep: async () => {
      if (!paused) return;
      post({ type: 'paused', step: trainer.step });
      await new Promise<void>((r) => { wake = r; });
      if (!stop.signal.aborted) post({ type: 'resumed', step: trainer.step });
    },
    onStep: (log) => post({ type: 'step', log, total }),
    onSample: async (t) => { await grid(t); await profile(t.step); },
    onCheckpoint: async (snapshot) => post({ type: 'checkpoint', snapshot }),
    remakeTrainer: async () => {
      if (profiling) profiler().enable(); // the new device's profiler starts off
      return makeTrainer();
    },
    log: (message) => post({ type: 'note', message }),
  });
  if (profiling) { await profile(loop.trainer.step); profiler().enable(false); }
  const seconds = (Date.now() - started) / 1000;
  const summary = summaryMarkdown({
    adapter: E.describeAdapter(eng.adapter),
    preset: cfg.preset, config: cfg, steps: loop.trainer.step, stepsThisSession: loop.trainer.step - firstStep,
    started: new Date(started).toISOString(), ended: new Date().toISOString(), seconds,
    stepsPerSecond: (loop.trainer.step - firstStep) / Math.max(seconds, 1e-9), images: grids, recoveries: loop.recoveries,
  });
  post({ type: 'done', step: loop.trainer.step, stopped: stop.signal.aborted, summary });
  loop.trainer.dispose();
  vgg?.dispose();
}
