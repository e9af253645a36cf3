/** `srgan train`: two-phase SRGAN training into a run folder, resumable. */
import { readFile } from 'node:fs/promises';
import * as E from '../engine/index.js';
import { makeConfig, presets, type PresetName, type SrganConfig } from '../srgan/config.js';
import { openImageFolder, readImageFolder } from '../srgan/data/folder.js';
import { runSession } from '../srgan/train/session.js';
import { RunFiles } from '../srgan/train/run-store.js';
import { NodeRunStore } from '../srgan/train/run-store-node.js';
import { totalSteps } from '../srgan/train/schedule.js';
import { intOption, numberOption, parseOptions, required, UsageError, type Command } from './command.js';
import { progressBar } from './progress.js';
import { chromeTraceJson } from '../engine/runtime/trace.js';

const HELP = `srgan train: train SRGAN (phase 1: generator with pixel MSE; phase 2: GAN) into a run folder

usage: srgan train --data DIR --out RUN_DIR [options]

  --preset tiny|paper|keras  network and schedule preset (default tiny)
  --data DIR                 folder of PNG/JPEG/WebP training photos (HR; LR is made by bicubic ×4)
  --out RUN_DIR              run folder: checkpoints, sample grids, loss.csv, loss.png, summary
  --steps N                  total steps, split between the phases in the preset's proportion
  --phase1-steps N, --phase2-steps N   set each phase's length explicitly
  --init-from FILE           start a new run from a generator file's weights (a run's generator.safetensors,
                             the shipped model); with more --blocks than the file, the extra blocks
                             start as identity maps, so the run starts at the file's quality
  --resume                   continue the run in RUN_DIR exactly where its last checkpoint stopped
                             (with --steps/--phase*-steps or --lr: the schedule changes from there on)
  --content mse|vgg          content loss of the GAN phase (default: the preset's; vgg needs --vgg)
  --vgg FILE                 VGG19 weights as safetensors (torchvision key names; see README)
  --vgg-layer NAME           VGG feature layer, e.g. relu5_4 (paper) or relu3_3
  --batch N, --crop N, --lr X, --blocks N, --channels N, --seed N   override the preset
  --ema DECAY                keep an exponential moving average of the generator's weights (BasicSR's
                             ema_decay, e.g. 0.999; 0 = none, the default): the sample grids, the
                             evaluation and RUN_DIR/generator.safetensors use it. --resume may turn it on
  --heldout DIR              images for the sample grids and the final PSNR/SSIM (default data/photos/heldout)
  --checkpoint-every N       steps between checkpoints (default 100)
  --sample-every N           steps between sample grids (default 100)
  --time-limit MIN           stop cleanly (checkpoint, summary) after MIN minutes of training
  --profile FILE             write a Chrome trace (JSON) of the GPU kernels of the last steps

Ctrl-C finishes the current step, writes a checkpoint and exits; --resume continues from it.`;

const OPTIONS = {
  preset: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' },
  'phase1-steps': { type: 'string' }, 'phase2-steps': { type: 'string' }, resume: { type: 'boolean' },
  content: { type: 'string' }, vgg: { type: 'string' }, 'vgg-layer': { type: 'string' },
  batch: { type: 'string' }, crop: { type: 'string' }, lr: { type: 'string' }, blocks: { type: 'string' },
  channels: { type: 'string' }, seed: { type: 'string' }, heldout: { type: 'string' },
  'checkpoint-every': { type: 'string' }, 'sample-every': { type: 'string' }, profile: { type: 'string' },
  'time-limit': { type: 'string' }, ema: { type: 'string' }, 'init-from': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>;

function configFrom(v: Values): SrganConfig {
  const preset = (v.preset ?? 'tiny') as PresetName;
  if (!(preset in presets)) throw new UsageError(`srgan train: --preset must be tiny, paper or keras, got "${preset}"`);
  const base = presets[preset];
  const int = (name: keyof typeof OPTIONS) => intOption('train', name, v[name] as string | undefined);
  let phase1Steps = int('phase1-steps'), phase2Steps = int('phase2-steps');
  const steps = int('steps');
  if (steps !== undefined && phase1Steps === undefined && phase2Steps === undefined) {
    const share = base.phase1Steps / Math.max(1, totalSteps(base));
    phase1Steps = Math.round(steps * share);
    phase2Steps = steps - phase1Steps;
  }
  // Without VGG19 weights the content loss is pixel MSE, whatever the preset says (the run prints it);
  // --content vgg without --vgg is refused by the training session.
  const content = v.content ?? (v.vgg ? 'vgg' : 'mse');
  if (content !== 'mse' && content !== 'vgg') throw new UsageError(`srgan train: --content must be mse or vgg, got "${content}"`);
  const overrides = Object.fromEntries(Object.entries({
    phase1Steps, phase2Steps, content, batch: int('batch'), hrCrop: int('crop'), seed: int('seed'),
    lr: numberOption('train', 'lr', v.lr), vggLayer: v['vgg-layer'], emaDecay: numberOption('train', 'ema', v.ema),
  }).filter(([, x]) => x !== undefined));
  const generator = Object.fromEntries(Object.entries({ blocks: int('blocks'), channels: int('channels') }).filter(([, x]) => x !== undefined));
  return makeConfig(preset, { ...overrides, generator });
}

/** Options that set the schedule's length, which --resume may change (and --lr, its base rate, and --ema). */
const LENGTH_OPTIONS = ['steps', 'phase1-steps', 'phase2-steps'] as const;
/** Options that shape the networks or the data, which a resumed run takes from its checkpoint. */
const FIXED_ON_RESUME = ['preset', 'content', 'vgg-layer', 'batch', 'crop', 'blocks', 'channels', 'seed'] as const;

/**
 * The config of a resumed run: the checkpoint's, with the schedule changed where the command line
 * asks (to extend a run, or to finish it at a lower rate); `ignored` lists the network and data
 * options given, which can't change under a checkpoint.
 */
export function resumedConfig(saved: SrganConfig, asked: SrganConfig, v: Partial<Record<string, unknown>>): { config: SrganConfig; ignored: string[] } {
  const given = (name: string) => v[name] !== undefined;
  const lengthGiven = LENGTH_OPTIONS.some(given);
  const config: SrganConfig = {
    ...saved,
    ...(lengthGiven ? { phase1Steps: asked.phase1Steps, phase2Steps: asked.phase2Steps } : {}),
    ...(given('lr') ? { lr: asked.lr } : {}),
    // Checkpoints from before the weight average have no emaDecay.
    emaDecay: given('ema') ? asked.emaDecay : saved.emaDecay ?? 0,
  };
  return { config, ignored: FIXED_ON_RESUME.filter(given) };
}

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('train', argv, OPTIONS);
  const dataDir = required('train', 'data', v.data), out = required('train', 'out', v.out);
  const asked = configFrom(v);
  if (v.resume && v['init-from']) throw new UsageError('srgan train: --init-from starts a new run; it cannot be used with --resume');
  const store = new NodeRunStore(out);
  const hasCheckpoint = await new RunFiles(store).hasCheckpoint();
  if (v.resume && !hasCheckpoint) throw new UsageError(`srgan train: --resume, but ${out} holds no checkpoint`);
  if (!v.resume && hasCheckpoint) throw new UsageError(`srgan train: ${out} already holds a checkpoint: pass --resume to continue it, or choose another --out`);
  const eng = await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const heldout = await readImageFolder(v.heldout ?? 'data/photos/heldout', (m) => console.warn(`warning: ${m}`));

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nsrgan train: finishing the step, then writing a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const minutes = numberOption('train', 'time-limit', v['time-limit']);
  const timer = minutes === undefined ? undefined : setTimeout(() => {
    console.error(`\nsrgan train: time limit of ${minutes} min reached; finishing the step and writing a checkpoint`);
    controller.abort();
  }, minutes * 60_000);
  let bar: ReturnType<typeof progressBar> | undefined;
  const t0 = performance.now();
  let n0 = 0;
  if (v.profile) eng.profiler.enable();
  const result = await runSession({
    store, config: asked, resume: v.resume, heldout, evaluate: true, signal: controller.signal,
    resumeConfig: (saved) => {
      const resumed = resumedConfig(saved, asked, v);
      for (const name of resumed.ignored) console.warn(`warning: --${name} is ignored on --resume: the run keeps its checkpoint's value`);
      return resumed.config;
    },
    openData: (config) => openImageFolder(dataDir, { crop: config.hrCrop, batch: config.batch, seed: config.seed, warn: (m) => console.warn(`warning: ${m}`) }),
    vggWeights: v.vgg ? await readFile(v.vgg) : undefined,
    initGenerator: v['init-from'] ? { bytes: await readFile(v['init-from']), source: v['init-from'] } : undefined,
    checkpointEvery: intOption('train', 'checkpoint-every', v['checkpoint-every'], 100),
    sampleEvery: intOption('train', 'sample-every', v['sample-every'], 100),
    log: (m) => console.error(`\n${m}`),
    onReady: ({ config, adapter }) => {
      console.log(`srgan train: ${config.preset} on ${adapter}`);
      console.log(`  content loss: ${config.content === 'vgg' ? `VGG19 ${config.vggLayer}` : 'pixel MSE (no VGG19 weights given)'}; ` +
        `steps: ${config.phase1Steps} (phase 1) + ${config.phase2Steps} (phase 2); crop ${config.hrCrop}, batch ${config.batch}` +
        (config.emaDecay > 0 ? `; weight average (EMA) decay ${config.emaDecay}` : ''));
      bar = progressBar(totalSteps(config), 'train', 'loss {loss} | {rate} steps/s');
    },
    onStep: (log, trainer) => {
      n0++;
      const rate = (n0 * 1000) / (performance.now() - t0);
      bar?.update(trainer.step, { loss: log.g_content.toPrecision(4), rate: rate.toFixed(2) });
    },
  }).finally(() => {
    bar?.stop();
    clearTimeout(timer);
    process.off('SIGINT', onSigint);
  });
  if (v.profile) await writeProfile(v.profile, eng);
  result.dispose();
  console.log(result.summaryMarkdown);
  console.log(result.stoppedEarly ? `stopped at step ${result.trainer.step}: continue with --resume` : 'training finished');
  console.log(`run folder: ${out} (checkpoints/, samples/, loss.csv, loss.png, summary.md; generator: ${out}/generator.safetensors)`);
  return 0;
}

/** The per-kernel table on stdout and the Chrome trace (Perfetto, chrome://tracing) in `file`. */
async function writeProfile(file: string, eng: E.Engine): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await eng.sync();
  console.log(E.formatProfile(await eng.profiler.report()));
  await writeFile(file, chromeTraceJson(await eng.profiler.events(), eng.adapter));
  console.log(`trace of the profiled kernels: ${file}`);
}

export const trainCommand: Command = { name: 'train', summary: 'train SRGAN into a resumable run folder', help: HELP, run };
