/**
 * <train-settings>: the preset and the hyper-parameters a person is likely to change. Choosing a
 * preset resets the fields to its values; `settings()` validates through makeConfig, so a bad value
 * is reported by the same rules the CLI uses. "Start from" picks a run from scratch (phase 1, then
 * 2) or SRGAN's phase 2 from the shipped `default` generator and `srgan` discriminator, with the
 * recipe `srgan` was trained with (SRGAN_PHASE2_FROM_DEFAULT): the GAN half at work in minutes.
 */
import { LitElement, css, html } from 'lit';
import { makeConfig, presets, SRGAN_PHASE2_FROM_DEFAULT, type PresetName, type SrganConfig } from '../srgan/config.js';
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
  ['blocks', 'Blocks', 1], ['channels', 'Width (channels)', 1], ['hrCrop', 'Training crop (HR pixels, a multiple of 16)', 16], ['batch', 'Batch', 1],
  ['lr', 'Learning rate', 0.00001], ['phase1Steps', 'Phase 1 steps (MSE)', 1], ['phase2Steps', 'Phase 2 steps (GAN)', 1],
  ['emaDecay', 'Weight average (EMA) decay, 0: off', 0.001, 0],
  ['gridEvery', 'Sample grid and metrics every N steps', 1], ['checkpointEvery', 'Checkpoint every N steps', 1],
];

function fieldsOf(p: PresetName): Record<Field, number> {
  const c = presets[p];
  return { blocks: c.generator.blocks, channels: c.generator.channels, hrCrop: c.hrCrop, batch: c.batch, lr: c.lr,
    phase1Steps: c.phase1Steps, phase2Steps: c.phase2Steps, emaDecay: c.emaDecay, gridEvery: 50, checkpointEvery: 50 };
}

/** The fields of the phase-2 recipe: 400 GAN steps, metrics and a grid every 10 (a step takes seconds on a CPU adapter). */
function phase2Fields(): Record<Field, number> {
  const r = SRGAN_PHASE2_FROM_DEFAULT, c = presets.tiny;
  return { blocks: r.generator.blocks, channels: c.generator.channels, hrCrop: r.hrCrop, batch: r.batch, lr: r.lr,
    phase1Steps: r.phase1Steps, phase2Steps: 400, emaDecay: 0, gridEvery: 10, checkpointEvery: 25 };
}

export class TrainSettingsForm extends LitElement {
  static override properties = { preset: { state: true }, startFrom: { state: true }, values: { state: true }, content: { state: true }, profile: { state: true }, disabled: { type: Boolean } };
  static override styles = [shared, css`
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(13rem, 100%), 1fr)); gap: 0.5rem 1rem; }
    .grid label { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.9rem; }
  `];
  preset: PresetName = 'tiny';
  startFrom: StartFrom = 'scratch';
  values = fieldsOf('tiny');
  content: 'mse' | 'vgg' = 'mse';
  profile = false;
  disabled = false;
  private vggFile?: File;

  /** Set fields from outside (tests, a resumed run). */
  apply(preset: PresetName, values: Partial<Record<Field, number>> = {}): void {
    this.preset = preset;
    this.startFrom = 'scratch';
    this.values = { ...fieldsOf(preset), ...values };
    this.content = presets[preset].content;
  }

  /** Pick where a new run starts; the shipped default brings the tiny preset and the phase-2 recipe's fields. */
  startWith(from: StartFrom): void {
    if (from === 'default') this.apply('tiny', phase2Fields()); // tiny's content loss is pixel MSE
    this.startFrom = from;
  }

  settings(): TrainSettings {
    const v = this.values;
    // From the shipped default, the recipe's GAN settings (loss, D head, rates); the fields as shown.
    const recipe = this.startFrom === 'default' ? SRGAN_PHASE2_FROM_DEFAULT : {};
    const config = makeConfig(this.preset, {
      ...recipe,
      hrCrop: v.hrCrop, batch: v.batch, lr: v.lr, phase1Steps: v.phase1Steps, phase2Steps: v.phase2Steps, emaDecay: v.emaDecay, content: this.content,
      generator: { blocks: v.blocks, channels: v.channels },
    });
    if (v.gridEvery < 1 || v.checkpointEvery < 1) throw new Error('config: grid and checkpoint intervals must be ≥ 1');
    return { config, startFrom: this.startFrom, gridEvery: v.gridEvery, checkpointEvery: v.checkpointEvery, profile: this.profile, vggFile: this.vggFile };
  }

  override render() {
    return html`
      <fieldset ?disabled=${this.disabled} style="border:none;padding:0;margin:0">
        <legend class="visually-hidden">Training settings</legend>
        <div class="row" style="margin-bottom:0.5rem">
          <label for="start-from">Start from</label>
          <select id="start-from" .value=${this.startFrom} @change=${(e: Event) => this.startWith((e.target as HTMLSelectElement).value as StartFrom)}>
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
        ${this.startFrom === 'default' ? html`<p class="muted" id="start-from-info">The generator starts as the shipped <code>default</code>
          (PSNR-oriented) and the discriminator as the one shipped with <code>srgan</code>. The loss is pixel MSE + RaGAN adversarial
          1e-2 + feature matching 0.03, with D's rate ×4. Watch the held-out sharpness rise over the first few dozen steps, at a small
          cost in PSNR.</p>` : ''}
        <div class="grid">
          ${FIELDS.map(([k, label, step, min]) => html`<label>${label}
            <input id="f-${k}" type="number" min=${min ?? step} step=${step} .value=${String(this.values[k])}
              @change=${(e: Event) => { this.values = { ...this.values, [k]: Number((e.target as HTMLInputElement).value) }; }} /></label>`)}
          <label>Content loss
            <select id="f-content" .value=${this.content} @change=${(e: Event) => { this.content = (e.target as HTMLSelectElement).value as 'mse' | 'vgg'; }}>
              <option value="mse">pixel MSE</option><option value="vgg">VGG19 features (needs weights)</option>
            </select></label>
          ${this.content === 'vgg' ? html`<label>VGG19 weights (.safetensors)
            <input id="f-vgg" type="file" accept=".safetensors" @change=${(e: Event) => { this.vggFile = (e.target as HTMLInputElement).files?.[0]; }} /></label>` : ''}
          <label style="flex-direction:row;align-items:center;gap:0.4rem"><input id="f-profile" type="checkbox" .checked=${this.profile}
            @change=${(e: Event) => { this.profile = (e.target as HTMLInputElement).checked; }} /> Profile kernels (Profiler view)</label>
        </div>
      </fieldset>`;
  }
}

customElements.define('train-settings', TrainSettingsForm);
