/** `srgan train`: two-phase SRGAN training into a run folder, resumable. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from '../engine/node.js';
import { lowBandNote, makeConfig, presets, withConfigDefaults, type PresetName, type SrganConfig } from '../srgan/config.js';
import { configToRecipe, formatRecipe, parseRecipe, recipeToConfig, SHIPPED_RECIPES, type Recipe } from '../srgan/recipe.js';
import { ConfigError } from '../srgan/errors.js';
import { isShippedName, SHIPPED_SRGAN_DISCRIMINATOR } from '../srgan/shipped-models.js';
import { openImageFolder, readImageFolder } from '../srgan/data/folder-node.js';
import { runSession, type SessionOptions } from '../srgan/train/session.js';
import { RunFiles } from '../srgan/store/run-store.js';
import { NodeRunStore } from '../srgan/store/run-store-node.js';
import { totalSteps } from '../srgan/train/schedule.js';
import { pickHeldout, prepareEvalSet } from '../srgan/report/eval-set.js';
import { intOption, numberOption, parseOptions, required, UsageError, type Command, type OptionTable } from './command.js';
import { progressBar } from './progress.js';
import { degradeOption } from './degrade-option.js';
import { shippedModelPath } from './model-choice.js';
import { chromeTraceJson } from '../engine/node.js';

const OPTIONS = {
  preset: {
    type: 'string',
    arg: 'tiny|medium|paper|keras',
    help: 'network and schedule preset (default tiny; medium: 8 residual blocks × 48 over bicubic, 376 k parameters)',
  },
  data: { type: 'string', arg: 'DIR', help: 'folder of PNG/JPEG/WebP training photos (HR; LR is made by bicubic ×4)' },
  out: { type: 'string', arg: 'RUN_DIR', help: 'run folder: checkpoints, sample grids, loss.csv, loss.png, summary' },
  steps: { type: 'string', arg: 'N', help: "total steps, split between the phases in the preset's proportion" },
  'phase1-steps': { type: 'string', arg: 'N', help: 'length of phase 1 (generator alone, pixel MSE)' },
  'phase2-steps': { type: 'string', arg: 'N', help: 'length of phase 2 (GAN)' },
  config: {
    type: 'string',
    arg: 'RECIPE',
    help:
      'a recipe file (JSON: the preset, the networks, where they start from, data, schedule and losses; ' +
      "docs/training.md); the options below override it. The shipped models' recipes are models/*/recipe.json",
  },
  'start-from': {
    type: 'string',
    arg: 'scratch|default',
    help:
      "default: SRGAN's phase 2 from the shipped models, as srgan was trained: " +
      "the recipe models/srgan/recipe.json (the generator starts as the shipped default, the discriminator as srgan's; --steps counts GAN " +
      'steps; other options still override). scratch (the default): a new network',
  },
  'init-from': {
    type: 'string',
    arg: 'FILE',
    help:
      "start a new run from a generator file's weights (a run's generator.safetensors, " +
      "the shipped model); with more --blocks than the file, the extra blocks start as identity maps, so the run starts at the file's quality",
  },
  'init-d-from': {
    type: 'string',
    arg: 'FILE',
    help:
      "start a new run's discriminator from a file (a run's checkpoints/step-*/discriminator.safetensors, " +
      'or models/srgan/discriminator.safetensors) instead of from scratch, so the GAN phase pushes the generator from its first steps',
  },
  resume: {
    type: 'boolean',
    help:
      'continue the run in RUN_DIR exactly where its last checkpoint stopped ' +
      '(with --steps/--phase*-steps or --lr: the schedule changes from there on)',
  },
  content: { type: 'string', arg: 'mse|vgg', help: "content loss of the GAN phase (default: the preset's; vgg needs --vgg)" },
  vgg: { type: 'string', arg: 'FILE', help: 'VGG19 weights as safetensors (torchvision key names)' },
  'vgg-layer': { type: 'string', arg: 'NAME', help: 'VGG feature layer, e.g. relu5_4 (paper) or relu3_3' },
  batch: { type: 'string', arg: 'N', help: "batch size (default: the preset's)" },
  crop: { type: 'string', arg: 'N', help: "HR crop side in pixels (default: the preset's)" },
  lr: { type: 'string', arg: 'X', help: "base learning rate (default: the preset's)" },
  blocks: { type: 'string', arg: 'N', help: "generator residual blocks (default: the preset's)" },
  channels: { type: 'string', arg: 'N', help: "generator channels (default: the preset's)" },
  seed: { type: 'string', arg: 'N', help: "random seed (default: the preset's)" },
  degrade: {
    type: 'string',
    arg: 'SPEC',
    help:
      "how the LR is made from each HR crop: bicubic (default), realistic (Real-ESRGAN's random " +
      'second-order blur, resize, noise and JPEG, new settings per crop), phone (a milder random blur, noise and JPEG 60–95), ' +
      'or a fixed chain such as noise5+jpeg75 (grammar in docs/training.md)',
  },
  ema: {
    type: 'string',
    arg: 'DECAY',
    help:
      "keep an exponential moving average of the generator's weights (BasicSR's " +
      'ema_decay, e.g. 0.999; 0 = none, the default): the sample grids, the evaluation and RUN_DIR/generator.safetensors use it. ' +
      '--resume may turn it on',
  },
  'adv-weight': { type: 'string', arg: 'X', help: 'weight of the adversarial term in the GAN phase (paper: 1e-3)' },
  'gan-loss': {
    type: 'string',
    arg: 'bce|ragan|hinge',
    help: "the GAN phase's game: the paper's BCE (default), ESRGAN's relativistic average, or hinge",
  },
  'd-lr-scale': { type: 'string', arg: 'X', help: "the discriminator's learning rate is --lr × X (default 1)" },
  'content-blur': {
    type: 'string',
    arg: 'SIGMA',
    help:
      "the GAN phase's pixel MSE on Gaussian-blurred SR and HR (σ in HR pixels, e.g. 2): it pins what the LR " +
      'determines and leaves finer texture to the adversarial term (frequency separation; default 0: plain MSE; --resume may change it)',
  },
  'fm-weight': {
    type: 'string',
    arg: 'X',
    help: "weight of feature matching in the GAN phase: L1 between the discriminator's block outputs on SR and HR (default 0: none)",
  },
  'phase-pattern-weight': {
    type: 'string',
    arg: 'X',
    help:
      "weight of the phase-pattern loss: SR's mean high-pass at each of the 16 sub-pixel " +
      "phases matched to HR's, which keeps the generator from stamping a fixed ×4 lattice (e.g. 1000; default 0: none; --resume may change it)",
  },
  'flat-weight': {
    type: 'string',
    arg: 'X',
    help:
      "weight of the flat-region loss: SR's Laplacian error weighted toward the original's flat " +
      "regions, so that the GAN's texture goes where there is detail (e.g. 1; default 0: none; --resume may change it)",
  },
  'd-channels': { type: 'string', arg: 'A,B,…', help: "the discriminator's conv channels (8 numbers; strides stay 1,2,1,2,…)" },
  'd-head': { type: 'string', arg: 'dense|patch', help: "the discriminator's head: one logit per image (paper) or per patch" },
  'd-downsample': {
    type: 'string',
    arg: 'stride|blur',
    help:
      "how the discriminator's stride-2 blocks downsample: the conv's stride (paper) " +
      'or a full-resolution conv then a [1,2,1]² blur with stride 2 (shift-invariant: no blind pixel phases for the generator to fill with a lattice)',
  },
  'd-norm': { type: 'string', arg: 'batch|none', help: "batch-norm in the discriminator's blocks (paper) or none" },
  heldout: { type: 'string', arg: 'DIR', help: "photos for the final PSNR/SSIM and the report's photo crop (default data/photos/heldout)" },
  'heldout-faces': {
    type: 'string',
    arg: 'DIR',
    help: "faces for the report's whole-image grids and metrics (default data/faces/heldout, if present)",
  },
  'eval-every': { type: 'string', arg: 'N', help: 'steps between held-out metrics rows (metrics.csv, metrics.png; default --sample-every)' },
  'checkpoint-every': { type: 'string', arg: 'N', help: 'steps between checkpoints (default 100)' },
  'sample-every': { type: 'string', arg: 'N', help: 'steps between sample grids (default 100)' },
  'time-limit': { type: 'string', arg: 'MIN', help: 'stop cleanly (checkpoint, summary) after MIN minutes of training' },
  profile: { type: 'string', arg: 'FILE', help: 'write a Chrome trace (JSON) of the GPU kernels of the last steps' },
} as const satisfies OptionTable;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>;

/** The recipe a new run follows (--config, or models/srgan/recipe.json for --start-from default) and the folder its paths are relative to. */
interface RecipeChoice {
  recipe: Recipe;
  source: string;
  dir: string;
}

async function recipeChoice(v: Values): Promise<RecipeChoice | undefined> {
  const from = v['start-from'] ?? 'scratch';
  if (from !== 'scratch' && from !== 'default') throw new UsageError(`srgan train: --start-from must be scratch or default, got "${from}"`);
  if (from === 'default') {
    if (v.config) throw new UsageError('srgan train: --config and --start-from default both choose a recipe; give one of them');
    for (const o of ['init-from', 'init-d-from', 'resume'] as const)
      if (v[o]) throw new UsageError(`srgan train: --start-from default starts a new run from the shipped models; it cannot be used with --${o}`);
  }
  if (v.config && v.resume) throw new UsageError("srgan train: --config starts a new run; a resumed run keeps its checkpoint's recipe");
  const file = v.config ?? (from === 'default' ? fileURLToPath(SHIPPED_RECIPES.srgan.url()) : undefined);
  if (file === undefined) return undefined;
  const source = v.config ?? SHIPPED_RECIPES.srgan.path;
  if (!existsSync(file)) throw new UsageError(`srgan train: recipe not found: ${source}`);
  try {
    return { recipe: parseRecipe(await readFile(file, 'utf8'), source), source, dir: dirname(resolve(file)) };
  } catch (e) {
    // A bad recipe is a usage error like a bad option: exit 2, one line naming the key.
    if (e instanceof ConfigError) throw new UsageError(`srgan train: ${e.message}`);
    throw e;
  }
}

function configFrom(v: Values, choice: RecipeChoice | undefined): SrganConfig {
  const preset = (v.preset ?? choice?.recipe.preset ?? 'tiny') as PresetName;
  if (!(preset in presets)) throw new UsageError(`srgan train: --preset must be ${Object.keys(presets).join(', ')}, got "${preset}"`);
  if (choice && preset !== choice.recipe.preset)
    throw new UsageError(`srgan train: --preset ${preset} does not fit the recipe ${choice.source} (preset ${choice.recipe.preset})`);
  // The options override the recipe (when there is one), which overrides the preset.
  const base = choice ? recipeToConfig(choice.recipe, choice.source) : presets[preset];
  const int = (name: keyof typeof OPTIONS) => intOption('train', name, v[name] as string | undefined);
  let phase1Steps = int('phase1-steps'),
    phase2Steps = int('phase2-steps');
  const steps = int('steps');
  if (steps !== undefined && phase1Steps === undefined && phase2Steps === undefined) {
    // In the base's proportion: a GAN-only recipe (phase 1 of 0 steps) gets them all in phase 2.
    const share = base.phase1Steps / Math.max(1, totalSteps(base));
    phase1Steps = Math.round(steps * share);
    phase2Steps = steps - phase1Steps;
  }
  // Without VGG19 weights the content loss is pixel MSE, whatever the preset says (the run prints it);
  // --content vgg without --vgg is refused by the training session.
  const content = v.content ?? (v.vgg ? 'vgg' : choice ? base.content : 'mse');
  if (content !== 'mse' && content !== 'vgg') throw new UsageError(`srgan train: --content must be mse or vgg, got "${content}"`);
  const ganLoss = v['gan-loss'];
  if (ganLoss !== undefined && !['bce', 'ragan', 'hinge'].includes(ganLoss))
    throw new UsageError(`srgan train: --gan-loss must be bce, ragan or hinge, got "${ganLoss}"`);
  const overrides = Object.fromEntries(
    Object.entries({
      advWeight: numberOption('train', 'adv-weight', v['adv-weight']),
      ganLoss,
      dLrScale: numberOption('train', 'd-lr-scale', v['d-lr-scale']),
      featureMatchWeight: numberOption('train', 'fm-weight', v['fm-weight']),
      phasePatternWeight: numberOption('train', 'phase-pattern-weight', v['phase-pattern-weight']),
      flatRegionWeight: numberOption('train', 'flat-weight', v['flat-weight']),
      contentBlur: numberOption('train', 'content-blur', v['content-blur']),
      phase1Steps,
      phase2Steps,
      content,
      batch: int('batch'),
      hrCrop: int('crop'),
      seed: int('seed'),
      lr: numberOption('train', 'lr', v.lr),
      vggLayer: v['vgg-layer'],
      emaDecay: numberOption('train', 'ema', v.ema),
      degrade: degradeOption('train', v.degrade),
    }).filter(([, x]) => x !== undefined),
  );
  const generator = Object.fromEntries(Object.entries({ blocks: int('blocks'), channels: int('channels') }).filter(([, x]) => x !== undefined));
  const { generator: g, discriminator: d, preset: _preset, ...rest } = base;
  return makeConfig(preset, {
    ...rest,
    ...overrides,
    generator: { ...g, ...generator },
    discriminator: { ...d, ...discriminatorOverrides(v, base) },
  });
}

function discriminatorOverrides(v: Values, base: SrganConfig): Partial<SrganConfig['discriminator']> {
  const out: Partial<SrganConfig['discriminator']> = {};
  if (v['d-channels'] !== undefined) {
    const channels = v['d-channels'].split(',').map(Number);
    if (channels.length !== base.discriminator.strides.length || !channels.every((c) => Number.isInteger(c) && c >= 1))
      throw new UsageError(`srgan train: --d-channels must be ${base.discriminator.strides.length} positive integers, got "${v['d-channels']}"`);
    out.channels = channels;
  }
  if (v['d-head'] !== undefined) {
    if (v['d-head'] !== 'dense' && v['d-head'] !== 'patch')
      throw new UsageError(`srgan train: --d-head must be dense or patch, got "${v['d-head']}"`);
    out.head = v['d-head'];
  }
  if (v['d-downsample'] !== undefined) {
    if (v['d-downsample'] !== 'stride' && v['d-downsample'] !== 'blur')
      throw new UsageError(`srgan train: --d-downsample must be stride or blur, got "${v['d-downsample']}"`);
    out.downsample = v['d-downsample'];
  }
  if (v['d-norm'] !== undefined) {
    if (v['d-norm'] !== 'batch' && v['d-norm'] !== 'none') throw new UsageError(`srgan train: --d-norm must be batch or none, got "${v['d-norm']}"`);
    out.batchNorm = v['d-norm'] === 'batch';
  }
  return out;
}

/** Options that shape the networks or the data, which a resumed run takes from its checkpoint. */
const FIXED_ON_RESUME = [
  'preset',
  'content',
  'vgg-layer',
  'batch',
  'crop',
  'blocks',
  'channels',
  'seed',
  'd-channels',
  'd-head',
  'd-norm',
  'd-downsample',
  'degrade',
] as const;
/** Loss settings a resumed run may change (a GAN phase can be tuned between sessions). */
const LOSS_ON_RESUME = [
  ['adv-weight', 'advWeight'],
  ['gan-loss', 'ganLoss'],
  ['d-lr-scale', 'dLrScale'],
  ['fm-weight', 'featureMatchWeight'],
  ['phase-pattern-weight', 'phasePatternWeight'],
  ['flat-weight', 'flatRegionWeight'],
  ['content-blur', 'contentBlur'],
] as const;

/**
 * The config of a resumed run: the checkpoint's, with the schedule changed where the command line
 * asks (to extend a run, or to finish it at a lower rate); `ignored` lists the network and data
 * options given, which can't change under a checkpoint.
 */
export function resumedConfig(
  saved: SrganConfig,
  asked: SrganConfig,
  v: Partial<Record<string, unknown>>,
): { config: SrganConfig; ignored: string[] } {
  // The schedule's length (--steps, --phase1-steps, --phase2-steps), --lr, --ema and the GAN loss's settings may change.
  const given = (name: string) => v[name] !== undefined;
  // Checkpoints from before a field get its original meaning (withConfigDefaults, the one place for that).
  const before = withConfigDefaults(saved);
  // A phase's length the command line does not give stays the run's own (not the preset's), and
  // --steps alone splits in the run's proportion: extending a GAN-only run's phase 2 must not
  // give it a phase 1 back.
  let { phase1Steps, phase2Steps } = before;
  if (given('phase1-steps') || given('phase2-steps')) {
    if (given('phase1-steps')) phase1Steps = asked.phase1Steps;
    if (given('phase2-steps')) phase2Steps = asked.phase2Steps;
  } else if (given('steps')) {
    const steps = totalSteps(asked);
    phase1Steps = Math.round((steps * before.phase1Steps) / Math.max(1, totalSteps(before)));
    phase2Steps = steps - phase1Steps;
  }
  const config: SrganConfig = {
    ...before,
    phase1Steps,
    phase2Steps,
    ...(given('lr') ? { lr: asked.lr } : {}),
    ...(given('ema') ? { emaDecay: asked.emaDecay } : {}),
  };
  for (const [option, field] of LOSS_ON_RESUME) if (given(option)) (config as unknown as Record<string, unknown>)[field] = asked[field];
  return { config, ignored: FIXED_ON_RESUME.filter(given) };
}

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('train', argv, OPTIONS);
  const dataDir = required('train', 'data', v.data),
    out = required('train', 'out', v.out);
  const choice = await recipeChoice(v);
  const asked = configFrom(v, choice);
  if (v.resume && v['init-from']) throw new UsageError('srgan train: --init-from starts a new run; it cannot be used with --resume');
  if (v.resume && v['init-d-from']) throw new UsageError('srgan train: --init-d-from starts a new run; it cannot be used with --resume');
  if (v['init-d-from'] !== undefined && !existsSync(v['init-d-from']))
    throw new UsageError(`srgan train: --init-d-from: file not found: ${v['init-d-from']}`);
  const store = new NodeRunStore(out);
  const hasCheckpoint = await new RunFiles(store).hasCheckpoint();
  if (v.resume && !hasCheckpoint) throw new UsageError(`srgan train: --resume, but ${out} holds no checkpoint`);
  if (!v.resume && hasCheckpoint)
    throw new UsageError(`srgan train: ${out} already holds a checkpoint: pass --resume to continue it, or choose another --out`);
  const eng = await E.initEngine({ log: (m) => console.error(`note: ${m}`) });
  const heldout = await readImageFolder(v.heldout ?? 'data/photos/heldout', (m) => console.warn(`warning: ${m}`));
  const faces = await readImageFolder(v['heldout-faces'] ?? 'data/faces/heldout', (m) => console.warn(`warning: ${m}`)).catch((e: Error) => {
    if (v['heldout-faces']) throw e;
    return [];
  });
  const reportSet = await prepareEvalSet(pickHeldout(faces, heldout), { scale: asked.generator.scale });

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nsrgan train: finishing the step, then writing a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const minutes = numberOption('train', 'time-limit', v['time-limit']);
  const timer =
    minutes === undefined
      ? undefined
      : setTimeout(() => {
          console.error(`\nsrgan train: time limit of ${minutes} min reached; finishing the step and writing a checkpoint`);
          controller.abort();
        }, minutes * 60_000);
  let bar: ReturnType<typeof progressBar> | undefined;
  const t0 = performance.now();
  let n0 = 0;
  if (v.profile) eng.profiler.enable();
  const result = await runSession({
    store,
    config: asked,
    resume: v.resume,
    heldout,
    evaluate: true,
    signal: controller.signal,
    reportSet,
    evalEvery: intOption('train', 'eval-every', v['eval-every']),
    resumeConfig: (saved) => {
      const resumed = resumedConfig(saved, asked, v);
      for (const name of resumed.ignored) console.warn(`warning: --${name} is ignored on --resume: the run keeps its checkpoint's value`);
      return resumed.config;
    },
    openData: (config) =>
      openImageFolder(dataDir, {
        crop: config.hrCrop,
        batch: config.batch,
        seed: config.seed,
        degrade: config.degrade,
        scale: config.generator.scale,
        warn: (m) => console.warn(`warning: ${m}`),
      }),
    vggWeights: v.vgg ? await readFile(v.vgg) : undefined,
    ...(await startingWeights(v, choice)),
    checkpointEvery: intOption('train', 'checkpoint-every', v['checkpoint-every'], 100),
    sampleEvery: intOption('train', 'sample-every', v['sample-every'], 100),
    log: (m) => console.error(`\n${m}`),
    onReady: async ({ config, adapter, resumedAt }) => {
      // The run's recipe beside its checkpoints, so that `srgan train --config RUN_DIR/recipe.json` repeats it.
      if (resumedAt === undefined) await writeRunRecipe(out, config, v, choice);
      console.log(`srgan train: ${config.preset} on ${adapter}`);
      console.log(
        `  content loss: ${config.content === 'vgg' ? `VGG19 ${config.vggLayer}` : `pixel MSE (no VGG19 weights given)${lowBandNote(config)}`}; ` +
          `steps: ${config.phase1Steps} (phase 1) + ${config.phase2Steps} (phase 2); crop ${config.hrCrop}, batch ${config.batch}` +
          (config.degrade && config.degrade !== 'bicubic' ? `; LR degradation ${config.degrade}` : '') +
          (config.emaDecay > 0 ? `; weight average (EMA) decay ${config.emaDecay}` : '') +
          (config.phasePatternWeight > 0 ? `; phase-pattern loss ×${config.phasePatternWeight}` : '') +
          (config.flatRegionWeight > 0 ? `; flat-region loss ×${config.flatRegionWeight}` : ''),
      );
      if (config.phase2Steps > 0)
        console.log(
          `  GAN phase: ${config.ganLoss} loss, adversarial weight ${config.advWeight}, D learning rate ×${config.dLrScale}, ` +
            (config.featureMatchWeight > 0 ? `feature matching ×${config.featureMatchWeight}, ` : '') +
            `D channels ${config.discriminator.channels.join(',')} (${config.discriminator.head} head, ${config.discriminator.batchNorm === false ? 'no' : 'batch'} norm` +
            `${config.discriminator.downsample === 'blur' ? ', blur downsampling' : ''})`,
        );
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
  console.log(`run folder: ${out}`);
  console.log(`  samples/grid-step-*.png  whole held-out images at 1:1: LR | bicubic | start model | this run | HR`);
  console.log(`  samples/contact-sheet.png  one face over the steps;  metrics.csv, metrics.png  PSNR-Y, SSIM-Y, sharpness over steps`);
  console.log(`  loss.csv, loss.png  the losses;  summary.md  the run-time table;  generator.safetensors  the model;  checkpoints/  for --resume`);
  console.log(`  recipe.json  the run's recipe (srgan train --config ${join(out, 'recipe.json')} repeats it)`);
  return 0;
}

/** The files a new run's networks start from: --init-from / --init-d-from, else the recipe's `pretrained` (a shipped name or a path beside the recipe). */
async function startingWeights(v: Values, choice: RecipeChoice | undefined): Promise<Pick<SessionOptions, 'initGenerator' | 'initDiscriminator'>> {
  const file = async (path: string, source = path) => {
    if (!existsSync(path)) throw new UsageError(`srgan train: ${source}: file not found${path !== source ? ` (${path})` : ''}`);
    return { bytes: await readFile(path), source };
  };
  const pretrained = choice?.recipe.pretrained ?? {};
  const generator = async (p: string) =>
    isShippedName(p) ? file(shippedModelPath('train', p), `the shipped ${p} generator`) : file(resolve(choice!.dir, p), p);
  const discriminator = async (p: string) =>
    p === 'srgan' ? file(fileURLToPath(SHIPPED_SRGAN_DISCRIMINATOR.url()), "the srgan model's discriminator") : file(resolve(choice!.dir, p), p);
  return {
    initGenerator: v['init-from'] ? await file(v['init-from']) : pretrained.generator ? await generator(pretrained.generator) : undefined,
    initDiscriminator: v['init-d-from']
      ? await file(v['init-d-from'])
      : pretrained.discriminator
        ? await discriminator(pretrained.discriminator)
        : undefined,
  };
}

/**
 * RUN_DIR/recipe.json: the new run's config as a recipe, with where its networks started (a shipped
 * name as the recipe said, or the file's path relative to the run folder, as recipe paths are).
 */
async function writeRunRecipe(out: string, config: SrganConfig, v: Values, choice: RecipeChoice | undefined): Promise<void> {
  const from = (option: string | undefined, named: string | undefined) =>
    option !== undefined
      ? relative(out, resolve(option))
      : named === undefined
        ? undefined
        : isShippedName(named)
          ? named
          : relative(out, resolve(choice!.dir, named));
  const pretrained = Object.fromEntries(
    Object.entries({
      generator: from(v['init-from'], choice?.recipe.pretrained?.generator),
      discriminator: from(v['init-d-from'], choice?.recipe.pretrained?.discriminator),
    }).filter(([, p]) => p !== undefined),
  );
  const recipe = configToRecipe(config, { name: basename(resolve(out)), ...(Object.keys(pretrained).length ? { pretrained } : {}) });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'recipe.json'), formatRecipe(recipe));
}

/** The per-kernel table on stdout and the Chrome trace (Perfetto, chrome://tracing) in `file`. */
async function writeProfile(file: string, eng: E.Engine): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await eng.sync();
  console.log(E.formatProfile(await eng.profiler.report()));
  await writeFile(file, chromeTraceJson(await eng.profiler.events(), eng.adapter));
  console.log(`trace of the profiled kernels: ${file}`);
}

export const trainCommand: Command = {
  name: 'train',
  usage: '--data DIR --out RUN_DIR [options]',
  options: OPTIONS,
  run,
  notes:
    'Training runs phase 1 (generator with pixel MSE), then phase 2 (GAN). Ctrl-C finishes the\n' +
    'current step, writes a checkpoint and exits; --resume continues from it.',
};
