/**
 * <train-settings>: the preset and the hyper-parameters a person is likely to change. Choosing a
 * preset resets the fields to its values; `settings()` validates through makeConfig, so a bad value
 * is reported by the same rules the CLI uses. "Start from" picks a run from scratch (phase 1, then
 * 2) or SRGAN's phase 2 from the shipped `default` generator and `srgan` discriminator, with the
 * recipe `srgan` was trained with (models/srgan/recipe.json): the GAN half at work in minutes.
 * Load recipe / Save recipe read and write the same recipe files as `srgan train --config`
 * (src/srgan/recipe.ts); the fields shown override the loaded recipe, as the CLI's options do.
 */
import { LitElement, css, html } from 'lit';
import { lowBandNote, makeConfig, presets, type PresetName, type SrganConfig } from '../srgan/config.js';
import { ConfigError } from '../srgan/errors.js';
import { configToRecipe, formatRecipe, parseRecipe, recipeToConfig, SHIPPED_RECIPES, type Recipe } from '../srgan/recipe.js';
import { shared } from './styles.js';

/** 'scratch': a new network; 'default': phase 2 from the shipped default generator and srgan discriminator. */
export type StartFrom = 'scratch' | 'default';

export interface TrainSettings {
  config: SrganConfig;
  startFrom: StartFrom;
  gridEvery: number;
  checkpointEvery: number;
  profile: boolean;
  vggFile?: File;
}

type Field = 'blocks' | 'channels' | 'hrCrop' | 'batch' | 'lr' | 'phase1Steps' | 'phase2Steps' | 'emaDecay' | 'gridEvery' | 'checkpointEvery';
/** [field, label, step, min (default: the step)] */
const FIELDS: [Field, string, number, number?][] = [
  ['blocks', 'Blocks', 1],
  ['channels', 'Width (channels)', 1],
  ['hrCrop', 'Training crop (HR pixels, a multiple of 16)', 16],
  ['batch', 'Batch', 1],
  ['lr', 'Learning rate', 0.00001],
  ['phase1Steps', 'Phase 1 steps (MSE)', 1],
  ['phase2Steps', 'Phase 2 steps (GAN)', 1],
  ['emaDecay', 'Weight average (EMA) decay, 0: off', 0.001, 0],
  ['gridEvery', 'Sample grid and metrics every N steps', 1],
  ['checkpointEvery', 'Checkpoint every N steps', 1],
];

function fieldsOf(c: SrganConfig): Record<Field, number> {
  return {
    blocks: c.generator.blocks,
    channels: c.generator.channels,
    hrCrop: c.hrCrop,
    batch: c.batch,
    lr: c.lr,
    phase1Steps: c.phase1Steps,
    phase2Steps: c.phase2Steps,
    emaDecay: c.emaDecay,
    gridEvery: 50,
    checkpointEvery: 50,
  };
}

/** The shipped recipe in the app: 400 GAN steps, metrics and a grid every 10 (a step takes about a second on a CPU). */
const SHIPPED_RUN_FIELDS: Partial<Record<Field, number>> = { phase2Steps: 400, gridEvery: 10, checkpointEvery: 25 };

/** Where a recipe's networks start, in the app's terms: shipped models by name only (a page has no file paths). */
function startOf(recipe: Recipe, source: string): StartFrom {
  const { generator, discriminator } = recipe.pretrained ?? {};
  if (generator === undefined && discriminator === undefined) return 'scratch';
  if (generator === 'default' && discriminator === 'srgan') return 'default';
  throw new ConfigError(
    `${source}: the app starts a run from scratch or from the shipped models (pretrained generator "default", ` +
      `discriminator "srgan"), not from pretrained ${JSON.stringify(recipe.pretrained)}; run this recipe with srgan train --config`,
  );
}

/** G's loss in words, for the info line under "Start from". */
function lossSummary(c: SrganConfig): string {
  const terms = [
    c.content === 'vgg' ? `VGG19 ${c.vggLayer}` : `pixel MSE${lowBandNote(c)}`,
    `${c.ganLoss === 'ragan' ? 'RaGAN' : c.ganLoss.toUpperCase()} adversarial ×${c.advWeight}`,
  ];
  if (c.featureMatchWeight > 0) terms.push(`feature matching ×${c.featureMatchWeight}`);
  if (c.phasePatternWeight > 0) terms.push(`phase pattern ×${c.phasePatternWeight}`);
  if (c.flatRegionWeight > 0) terms.push(`flat region ×${c.flatRegionWeight}`);
  return `${terms.join(' + ')}, with D's rate ×${c.dLrScale}`;
}

export class TrainSettingsForm extends LitElement {
  static override properties = {
    preset: { state: true },
    startFrom: { state: true },
    values: { state: true },
    content: { state: true },
    profile: { state: true },
    recipe: { state: true },
    recipeError: { state: true },
    disabled: { type: Boolean },
  };
  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(13rem, 100%), 1fr));
        gap: 0.5rem 1rem;
      }
      .grid label {
        display: flex;
        flex-direction: column;
        gap: 0.15rem;
        font-size: 0.9rem;
      }
    `,
  ];
  preset: PresetName = 'tiny';
  startFrom: StartFrom = 'scratch';
  values = fieldsOf(presets.tiny);
  content: 'mse' | 'vgg' = 'mse';
  profile = false;
  disabled = false;
  /** The loaded recipe the fields override (undefined: the preset itself), and what it was loaded from. */
  recipe?: Recipe;
  private recipeSource = '';
  recipeError = '';
  private vggFile?: File;

  /** Set fields from outside (tests, a resumed run): the preset's values, then `values`. */
  apply(preset: PresetName, values: Partial<Record<Field, number>> = {}): void {
    this.preset = preset;
    this.startFrom = 'scratch';
    this.recipe = undefined;
    this.values = { ...fieldsOf(presets[preset]), ...values };
    this.content = presets[preset].content;
  }

  /** Follow a recipe: its preset and values, where its networks start; `values` over it. Throws ConfigError for one the app cannot run. */
  applyRecipe(recipe: Recipe, source: string, values: Partial<Record<Field, number>> = {}): void {
    const startFrom = startOf(recipe, source),
      config = recipeToConfig(recipe, source);
    this.preset = recipe.preset;
    this.startFrom = startFrom;
    this.recipe = recipe;
    this.recipeSource = source;
    this.values = { ...fieldsOf(config), ...values };
    this.content = config.content;
    this.recipeError = '';
  }

  /** Pick where a new run starts; the shipped default brings srgan's recipe (models/srgan/recipe.json). */
  async startWith(from: StartFrom): Promise<void> {
    if (from === 'scratch') return this.apply(this.preset);
    const text = await (await fetch(SHIPPED_RECIPES.srgan.url())).text();
    this.applyRecipe(parseRecipe(text, SHIPPED_RECIPES.srgan.path), SHIPPED_RECIPES.srgan.path, { ...SHIPPED_RUN_FIELDS, emaDecay: 0 });
  }

  settings(): TrainSettings {
    const v = this.values;
    // The loaded recipe (or the preset), with the fields as shown over it.
    const { generator, discriminator, preset: _, ...base } = this.recipe ? recipeToConfig(this.recipe, this.recipeSource) : presets[this.preset];
    const config = makeConfig(this.preset, {
      ...base,
      hrCrop: v.hrCrop,
      batch: v.batch,
      lr: v.lr,
      phase1Steps: v.phase1Steps,
      phase2Steps: v.phase2Steps,
      emaDecay: v.emaDecay,
      content: this.content,
      generator: { ...generator, blocks: v.blocks, channels: v.channels },
      discriminator,
    });
    if (v.gridEvery < 1 || v.checkpointEvery < 1) throw new Error('config: grid and checkpoint intervals must be ≥ 1');
    return {
      config,
      startFrom: this.startFrom,
      gridEvery: v.gridEvery,
      checkpointEvery: v.checkpointEvery,
      profile: this.profile,
      vggFile: this.vggFile,
    };
  }

  /** The settings as a recipe file's text: what `srgan train --config` and Load recipe read back. */
  recipeText(): string {
    const pretrained = this.startFrom === 'default' ? { generator: 'default', discriminator: 'srgan' } : undefined;
    return formatRecipe(configToRecipe(this.settings().config, { name: this.recipe?.name ?? `${this.preset} run`, pretrained }));
  }

  private async loadRecipe(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement,
      file = input.files?.[0];
    if (!file) return;
    try {
      this.applyRecipe(parseRecipe(await file.text(), file.name), file.name);
    } catch (err) {
      this.recipeError = (err as Error).message;
    }
    input.value = '';
  }

  private saveRecipe(): void {
    try {
      const url = URL.createObjectURL(new Blob([this.recipeText()], { type: 'application/json' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: 'recipe.json' });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.recipeError = '';
    } catch (err) {
      this.recipeError = (err as Error).message;
    }
  }

  override render() {
    return html` <fieldset ?disabled=${this.disabled} style="border:none;padding:0;margin:0">
      <legend class="visually-hidden">Training settings</legend>
      <div class="row" style="margin-bottom:0.5rem">
        <label for="start-from">Start from</label>
        <select
          id="start-from"
          .value=${this.startFrom}
          @change=${(e: Event) =>
            this.startWith((e.target as HTMLSelectElement).value as StartFrom).catch((err: Error) => {
              this.recipeError = err.message;
            })}
        >
          <option value="scratch">scratch: a new network (phase 1 MSE, then phase 2 GAN)</option>
          <option value="default">the shipped default: SRGAN's phase 2 (GAN), as srgan was trained</option>
        </select>
      </div>
      <div class="row" style="margin-bottom:0.5rem">
        <label for="preset">Preset</label>
        <select id="preset" .value=${this.preset} @change=${(e: Event) => this.apply((e.target as HTMLSelectElement).value as PresetName)}>
          <option value="tiny">tiny: residual over bicubic (fast, for this machine)</option>
          <option value="medium">medium: 8 residual blocks × 48 over bicubic (4× tiny's work)</option>
          <option value="paper">paper: SRResNet 16 blocks × 64 (Ledig et al.)</option>
          <option value="keras">keras: the original Keras project</option>
        </select>
      </div>
      <div class="row" style="margin-bottom:0.5rem">
        <label for="load-recipe">Recipe</label>
        <input id="load-recipe" type="file" accept=".json,application/json" @change=${(e: Event) => this.loadRecipe(e)} />
        <button id="save-recipe" type="button" @click=${() => this.saveRecipe()}>Save recipe</button>
        ${this.recipe ? html`<span class="muted" id="recipe-name">following ${this.recipe.name ?? this.recipeSource}</span>` : ''}
      </div>
      ${this.recipeError ? html`<p class="error" id="recipe-error" role="alert">${this.recipeError}</p>` : ''}
      ${
        this.startFrom === 'default'
          ? html`<p class="muted" id="start-from-info">
              The generator starts as the shipped <code>default</code> (PSNR-oriented) and the discriminator as the one shipped with
              <code>srgan</code>. The loss is ${this.recipe ? lossSummary(recipeToConfig(this.recipe, this.recipeSource)) : 'pixel MSE'}. Watch the
              held-out sharpness rise over the first few dozen steps, at a small cost in PSNR.
            </p>`
          : ''
      }
      <div class="grid">
        ${FIELDS.map(
          ([k, label, step, min]) =>
            html`<label
              >${label}
              <input
                id="f-${k}"
                type="number"
                min=${min ?? step}
                step=${step}
                .value=${String(this.values[k])}
                @change=${(e: Event) => {
                  this.values = { ...this.values, [k]: Number((e.target as HTMLInputElement).value) };
                }}
            /></label>`,
        )}
        <label
          >Content loss
          <select
            id="f-content"
            .value=${this.content}
            @change=${(e: Event) => {
              this.content = (e.target as HTMLSelectElement).value as 'mse' | 'vgg';
            }}
          >
            <option value="mse">pixel MSE</option>
            <option value="vgg">VGG19 features (needs weights)</option>
          </select></label
        >
        ${
          this.content === 'vgg'
            ? html`<label
                >VGG19 weights (.safetensors)
                <input
                  id="f-vgg"
                  type="file"
                  accept=".safetensors"
                  @change=${(e: Event) => {
                    this.vggFile = (e.target as HTMLInputElement).files?.[0];
                  }}
              /></label>`
            : ''
        }
        <label style="flex-direction:row;align-items:center;gap:0.4rem"
          ><input
            id="f-profile"
            type="checkbox"
            .checked=${this.profile}
            @change=${(e: Event) => {
              this.profile = (e.target as HTMLInputElement).checked;
            }}
          />
          Profile kernels (Profiler view)</label
        >
      </div>
    </fieldset>`;
  }
}

customElements.define('train-settings', TrainSettingsForm);
