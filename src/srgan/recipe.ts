/**
 * Recipes: a training run's whole description as a file (`srgan train --config recipe.json`, the
 * app's Load/Save recipe), the way BasicSR keeps its option files: the networks, where they start
 * from, the data, the schedule and each loss in its own section. A recipe names a preset and
 * overrides it; every section and field is optional. The shipped models' recipes are files in
 * models/ (models/srgan/recipe.json is what `--start-from default` runs).
 *
 *   {
 *     "format": "srgan-recipe/1", "name": "srgan", "preset": "tiny",
 *     "generator": { "blocks": 8 }, "discriminator": { "head": "patch" },
 *     "pretrained": { "generator": "default", "discriminator": "srgan" },
 *     "data": { "crop": 64, "batch": 8 },
 *     "schedule": { "phase1Steps": 0, "phase2Steps": 1500, "lr": 1e-4, "ema": 0.995 },
 *     "losses": { "adversarial": { "type": "ragan", "weight": 0.02, "dLrScale": 4 }, "featureMatching": { "weight": 0.03 } }
 *   }
 *
 * A recipe is checked whole before anything runs: an unknown key (a typo) or a value of the wrong
 * type is a ConfigError naming its path, and the resulting config goes through validateConfig.
 */
import { makeConfig, presets, type DiscriminatorConfig, type GanLoss, type GeneratorConfig, type PresetName, type SrganConfig } from './config.js';
import { ConfigError } from './errors.js';

export const RECIPE_FORMAT = 'srgan-recipe/1';

export interface Recipe {
  format: typeof RECIPE_FORMAT;
  name?: string;
  description?: string;
  preset: PresetName;
  generator?: Partial<GeneratorConfig>;
  discriminator?: Partial<DiscriminatorConfig>;
  /**
   * Where a new run's networks start: a shipped model's name (any shipped generator: 'default',
   * 'srgan', 'photo'; 'srgan' for the discriminator) or a file path, relative to the recipe's folder.
   * Absent: from scratch.
   */
  pretrained?: { generator?: string; discriminator?: string };
  data?: { crop?: number; batch?: number; degrade?: string; seed?: number };
  schedule?: {
    phase1Steps?: number;
    phase2Steps?: number;
    lr?: number;
    beta1?: number;
    beta2?: number;
    lrDecayAt?: number[];
    lrDecay?: number;
    ema?: number;
  };
  losses?: {
    content?: { type?: 'mse' | 'vgg'; weight?: number; blur?: number; vggLayer?: string; vggScale?: number };
    adversarial?: { type?: GanLoss; weight?: number; dLrScale?: number };
    featureMatching?: { weight?: number };
    phasePattern?: { weight?: number };
    flatRegion?: { weight?: number };
  };
}

// The schema the parser checks against: each leaf is a type test with its description for errors.
type Leaf = { test: (v: unknown) => boolean; expected: string };
type Schema = { [key: string]: Leaf | Schema };
const isLeaf = (s: Leaf | Schema): s is Leaf => typeof (s as Leaf).test === 'function';
const num: Leaf = { test: (v) => typeof v === 'number' && Number.isFinite(v), expected: 'a number' };
const int: Leaf = { test: (v) => Number.isInteger(v), expected: 'an integer' };
const str: Leaf = { test: (v) => typeof v === 'string', expected: 'a string' };
const bool: Leaf = { test: (v) => typeof v === 'boolean', expected: 'true or false' };
const nums: Leaf = { test: (v) => Array.isArray(v) && v.every((x) => num.test(x)), expected: 'an array of numbers' };
const oneOf = (...values: string[]): Leaf => ({ test: (v) => values.includes(v as string), expected: values.map((x) => `"${x}"`).join(' or ') });

const SCHEMA: Schema = {
  format: oneOf(RECIPE_FORMAT),
  name: str,
  description: str,
  preset: oneOf(...Object.keys(presets)),
  generator: {
    arch: oneOf('srresnet', 'residual-bicubic', 'resnet-bicubic'),
    scale: int,
    blocks: int,
    channels: int,
    activation: oneOf('prelu', 'relu'),
    batchNorm: bool,
    bnMomentum: num,
    upsample: oneOf('pixelshuffle', 'nearest-conv'),
    upsampleChannels: int,
    output: oneOf('tanh', 'linear'),
    outputRange: oneOf('[0,1]', '[-1,1]'),
  },
  discriminator: {
    channels: nums,
    strides: nums,
    dense: int,
    head: oneOf('dense', 'patch'),
    leakySlope: num,
    bnMomentum: num,
    batchNorm: bool,
    downsample: oneOf('stride', 'blur'),
  },
  pretrained: { generator: str, discriminator: str },
  data: { crop: int, batch: int, degrade: str, seed: int },
  schedule: { phase1Steps: int, phase2Steps: int, lr: num, beta1: num, beta2: num, lrDecayAt: nums, lrDecay: num, ema: num },
  losses: {
    content: { type: oneOf('mse', 'vgg'), weight: num, blur: num, vggLayer: str, vggScale: num },
    adversarial: { type: oneOf('bce', 'ragan', 'hinge'), weight: num, dLrScale: num },
    featureMatching: { weight: num },
    phasePattern: { weight: num },
    flatRegion: { weight: num },
  },
};

function check(value: unknown, schema: Schema, path: string, source: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`${source}: ${path || 'the recipe'} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key,
      rule = schema[key];
    if (!rule) throw new ConfigError(`${source}: unknown key "${at}" (expected one of ${Object.keys(schema).join(', ')})`);
    if (isLeaf(rule)) {
      if (!rule.test(v)) throw new ConfigError(`${source}: "${at}" must be ${rule.expected}, got ${JSON.stringify(v)}`);
    } else check(v, rule, at, source);
  }
}

/** A recipe from its JSON text, checked whole; `source` names it in errors (e.g. the file's path). */
export function parseRecipe(text: string, source = 'recipe'): Recipe {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  check(value, SCHEMA, '', source);
  const recipe = value as Recipe;
  if (recipe.format !== RECIPE_FORMAT) throw new ConfigError(`${source}: "format" must be "${RECIPE_FORMAT}"`);
  if (recipe.preset === undefined) throw new ConfigError(`${source}: "preset" is required (${Object.keys(presets).join(', ')})`);
  recipeToConfig(recipe, source); // the values' own rules (crop a multiple of 16, rates > 0 …)
  return recipe;
}

/** Drop the undefined entries, so that a section's absent fields leave the preset's values. */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The config a recipe describes: its preset with the recipe's values over it. */
export function recipeToConfig(recipe: Recipe, source = 'recipe'): SrganConfig {
  const { data = {}, schedule = {}, losses = {} } = recipe;
  const { content = {}, adversarial = {} } = losses;
  try {
    return makeConfig(recipe.preset, {
      ...defined({
        hrCrop: data.crop,
        batch: data.batch,
        degrade: data.degrade,
        seed: data.seed,
        phase1Steps: schedule.phase1Steps,
        phase2Steps: schedule.phase2Steps,
        lr: schedule.lr,
        beta1: schedule.beta1,
        beta2: schedule.beta2,
        lrDecayAt: schedule.lrDecayAt,
        lrDecay: schedule.lrDecay,
        emaDecay: schedule.ema,
        content: content.type,
        contentWeight: content.weight,
        contentBlur: content.blur,
        vggLayer: content.vggLayer,
        vggScale: content.vggScale,
        ganLoss: adversarial.type,
        advWeight: adversarial.weight,
        dLrScale: adversarial.dLrScale,
        featureMatchWeight: losses.featureMatching?.weight,
        phasePatternWeight: losses.phasePattern?.weight,
        flatRegionWeight: losses.flatRegion?.weight,
      }),
      generator: recipe.generator,
      discriminator: recipe.discriminator,
    });
  } catch (e) {
    // makeConfig's rules (a ConfigError, or a degradation spec's own error), named by the recipe.
    throw new ConfigError(`${source}: ${(e as Error).message}`);
  }
}

/** A complete recipe (every field written out) for a config: what the app saves and a run can be repeated from. */
export function configToRecipe(cfg: SrganConfig, extra: Pick<Recipe, 'name' | 'description' | 'pretrained'> = {}): Recipe {
  return {
    format: RECIPE_FORMAT,
    ...defined(extra),
    preset: cfg.preset,
    generator: { ...cfg.generator },
    discriminator: { ...cfg.discriminator, channels: [...cfg.discriminator.channels], strides: [...cfg.discriminator.strides] },
    data: defined({ crop: cfg.hrCrop, batch: cfg.batch, degrade: cfg.degrade, seed: cfg.seed }),
    schedule: {
      phase1Steps: cfg.phase1Steps,
      phase2Steps: cfg.phase2Steps,
      lr: cfg.lr,
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      lrDecayAt: [...cfg.lrDecayAt],
      lrDecay: cfg.lrDecay,
      ema: cfg.emaDecay,
    },
    losses: {
      content: {
        type: cfg.content,
        weight: cfg.contentWeight,
        ...(cfg.contentBlur > 0 ? { blur: cfg.contentBlur } : {}),
        vggLayer: cfg.vggLayer,
        vggScale: cfg.vggScale,
      },
      adversarial: { type: cfg.ganLoss, weight: cfg.advWeight, dLrScale: cfg.dLrScale },
      featureMatching: { weight: cfg.featureMatchWeight },
      phasePattern: { weight: cfg.phasePatternWeight },
      flatRegion: { weight: cfg.flatRegionWeight },
    },
  };
}

/** The recipe as the JSON text of a recipe file (arrays of numbers on one line, as a person writes them). */
export function formatRecipe(recipe: Recipe): string {
  return (
    JSON.stringify(recipe, null, 2).replace(/\[\s+([-\d.e,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.trim().split(/,\s*/).join(', ')}]`) + '\n'
  );
}

/**
 * The shipped models' recipes (files in models/, found like the models themselves: relative to
 * this module, literal URLs so that bundlers copy them). `srgan` is the GAN phase from `default`
 * that `--start-from default` and the app's "Start from the shipped default" run.
 */
export const SHIPPED_RECIPES = {
  default: { path: 'models/default/recipe.json', url: (): URL => new URL('../../models/default/recipe.json', import.meta.url) },
  srgan: { path: 'models/srgan/recipe.json', url: (): URL => new URL('../../models/srgan/recipe.json', import.meta.url) },
  photo: { path: 'models/photo/recipe.json', url: (): URL => new URL('../../models/photo/recipe.json', import.meta.url) },
  medium: { path: 'models/medium/recipe.json', url: (): URL => new URL('../../models/medium/recipe.json', import.meta.url) },
} as const;
