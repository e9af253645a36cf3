/**
 * The training worker: its own GPUDevice (initEngine in the worker), so the page stays responsive
 * while SRGAN trains. It decodes the images and runs the training session (src/srgan/train/
 * session.ts, the same as `srgan train`) into a run in IndexedDB, and posts every step's losses,
 * each sample grid, each saved checkpoint's generator and, when asked, the kernel profile.
 * Pause, resume and stop take effect between steps. Until a phase's first step is done it posts
 * what it is doing (`activity`): that step builds and compiles every kernel of the phase, which
 * takes minutes on a software adapter and would otherwise look like a hang at "step 0".
 */
import * as E from '../engine/index.js';
import { PhotoDataset } from '../srgan/data/dataset.js';
import { decodeImageBlob } from '../srgan/image/browser.js';
import type { HostImage } from '../srgan/image/types.js';
import { runSession } from '../srgan/train/session.js';
import { BrowserRunStore, getRun } from '../srgan/store/run-store-browser.js';
import { totalSteps } from '../srgan/train/schedule.js';
import { exportedGenerator } from '../srgan/train/trainer.js';
import { pickHeldout, prepareEvalSet, type EvalSet } from '../srgan/report/eval-set.js';
import { parseMetricsCsv } from '../srgan/report/metrics-log.js';
import { REPORT_FILES } from '../srgan/report/run-report.js';
import type { FromWorker, ImageInput, StartMessage, ToWorker } from './train-protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let paused = false;
const stop = new AbortController();
let wake: (() => void) | undefined;

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'start') void train(m).catch((err: Error) => post({ type: 'error', message: err.message }));
  else if (m.type === 'pause') paused = true;
  else if (m.type === 'resume') {
    paused = false;
    wake?.();
  } else if (m.type === 'stop') {
    stop.abort();
    paused = false;
    wake?.();
  }
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

const activity = (text: string) => post({ type: 'activity', text });

async function train(m: StartMessage): Promise<void> {
  activity('starting the GPU device in the worker');
  await E.initEngine({ log: () => {} });
  const profiler = () => E.engine().profiler; // the current device's (a device loss brings a new engine)
  const meta = await getRun(m.runId);
  if (!meta) throw new Error('this run is no longer saved in the browser (deleted in another tab?)');
  const skipped: { name: string; reason: string }[] = [];
  activity(`decoding ${m.images.length} training image${m.images.length === 1 ? '' : 's'}`);
  const images = await decodeAll(m.images, skipped);
  activity(`decoding ${m.gridImages.length} held-out images and preparing the report's crops`);
  const heldoutOnly = await decodeAll(m.gridImages, []);
  const heldout = heldoutOnly.concat(images);
  const reportSet = await reportSetOf(heldoutOnly, images, m.config.generator.scale);
  const runStore = new BrowserRunStore(m.runId, { label: `the saved run "${meta.name}"` });

  const profiling = m.profile && profiler().supported;
  if (m.profile && !profiling) post({ type: 'note', message: "this adapter has no 'timestamp-query': training runs unprofiled" });
  if (profiling) {
    profiler().reset();
    profiler().enable();
  }
  const profile = async (step: number) => {
    if (!profiling) return;
    await E.engine().sync();
    const rows = await profiler().report();
    // Nothing ran since the last report (e.g. the run ended right after one): keep the last profile shown.
    if (rows.length) post({ type: 'profile', step, rows, events: await profiler().events() });
    profiler().reset();
  };

  let total = totalSteps(m.config),
    step = 0;
  /** The phase whose first step was announced; the next step's phase comes from the trainer. */
  let announced = 0,
    trainer: { phase: number; step: number } | undefined;
  const result = await runSession({
    store: runStore,
    reportSet,
    config: m.config,
    resume: m.resume,
    heldout,
    signal: stop.signal,
    initGenerator: m.initGenerator && { bytes: m.initGenerator.bytes, source: m.initGenerator.name },
    initDiscriminator: m.initDiscriminator && { bytes: m.initDiscriminator.bytes, source: m.initDiscriminator.name },
    vggWeights: m.vggWeights,
    sampleEvery: m.gridEvery,
    checkpointEvery: m.checkpointEvery,
    openData: (cfg) => {
      const data = PhotoDataset.fromImages(images, {
        crop: cfg.hrCrop,
        batch: cfg.batch,
        seed: cfg.seed,
        degrade: cfg.degrade,
        scale: cfg.generator.scale,
        warn: (msg) => {
          const [, name, reason] = /^skipping (.+?): (.*)$/.exec(msg) ?? ['', '', msg];
          skipped.push({ name: name!, reason: reason! });
        },
      });
      post({ type: 'data', used: data.sources.length, skipped });
      return data;
    },
    onReady: ({ config, adapter, trainer: t, resumedAt }) => {
      total = totalSteps(config);
      step = t.step;
      trainer = t;
      post({ type: 'ready', adapter });
      // A new run saves its first checkpoint and renders the start grid and metrics before step 1.
      if (resumedAt === undefined)
        activity(
          `saving the first checkpoint and rendering the start grid and metrics${E.engine().kind === 'webgpu' ? ' (compiles the inference kernels)' : ''}`,
        );
    },
    beforeStep: async () => {
      if (paused) {
        post({ type: 'paused', step });
        await new Promise<void>((r) => {
          wake = r;
        });
        if (!stop.signal.aborted) post({ type: 'resumed', step });
      }
      if (trainer && trainer.phase !== announced && !stop.signal.aborted) {
        announced = trainer.phase;
        // Only WebGPU compiles kernels on first use; the CPU backend's are compiled once, at start.
        activity(
          `first step of ${announced === 1 ? 'phase 1 (content loss only)' : 'the GAN phase (generator and discriminator)'}` +
            (E.engine().kind === 'webgpu' ? ': building and compiling its kernels (slowest on a software adapter)' : ''),
        );
      }
    },
    onStep: (log, t) => {
      step = log.step;
      trainer = t;
      post({ type: 'step', log, total });
    },
    onNewDevice: () => {
      if (profiling) profiler().enable();
      announced = 0;
    }, // the new device's profiler starts off; its kernels compile again
    onReport: async ({ step, grid }) => {
      // The run report's whole-image grid when there is one (run-report.ts), else the crop grid.
      const png = (reportSet && (await runStore.read(REPORT_FILES.grid(step)))) || grid?.png;
      if (png) post({ type: 'grid', step, png });
      const [sheet, csv] = await Promise.all([runStore.read(REPORT_FILES.contactSheet), runStore.read(REPORT_FILES.metricsCsv)]);
      if (sheet || csv) post({ type: 'report', contactSheet: sheet, metrics: csv && parseMetricsCsv(new TextDecoder().decode(csv)) });
      await profile(step);
    },
    onCheckpoint: (s) => post({ type: 'checkpoint', step: s.state.step, generator: exportedGenerator(s) }),
    log: (message) => post({ type: 'note', message }),
  });
  if (profiling) {
    await profile(result.trainer.step);
    profiler().enable(false);
  }
  post({ type: 'done', step: result.trainer.step, stopped: stop.signal.aborted, summary: result.summaryMarkdown });
  result.dispose();
}

/**
 * The run report's images: the held-out faces (bundled names under faces/) and one photo crop
 * (with the user's own images, a crop of the first large enough one). Undefined, with a note,
 * when no image is large enough: the run then shows its crop grids only.
 */
async function reportSetOf(heldout: HostImage[], training: HostImage[], scale: number): Promise<EvalSet | undefined> {
  const faces = heldout.filter((im) => /(^|\/)faces\//.test(im.name ?? ''));
  const photos = heldout.filter((im) => !faces.includes(im)).concat(training);
  try {
    return await prepareEvalSet(pickHeldout(faces, photos), { scale });
  } catch (e) {
    post({ type: 'note', message: `no whole-image grids or metrics: ${(e as Error).message}` });
    return undefined;
  }
}
