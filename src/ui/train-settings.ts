/**
 * <train-settings>: the preset and the hyper-parameters a person is likely to change. Choosing a
 * preset resets the fields to its values; `settings()` validates through makeConfig, so a bad value
 * is reported by the same rules the CLI uses.
 */
import { LitElement, css, html } from 'lit';
import { makeConfig, presets, type PresetName, type SrganConfig } from '../srgan/config.js';
import { shared } from './styles.js';

export interface TrainSettings {
  config: SrganConfig;
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

export class TrainSettingsForm extends LitElement {
  static override properties = { preset: { state: true }, values: { state: true }, content: { state: true }, profile: { state: true }, disabled: { type: Boolean } };
  static override styles = [shared, css`
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.5rem 1rem; }
    .grid label { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.9rem; }
  `];
  preset: PresetName = 'tiny';
  values = fieldsOf('tiny');
  content: 'mse' | 'vgg' = 'mse';
  profile = false;
  disabled = false;
  private vggFile?: File;

  /** Set fields from outside (tests, a resumed run). */
  apply(preset: PresetName, values: Partial<Record<Field, number>> = {}): void {
    this.preset = preset;
    this.values = { ...fieldsOf(preset), ...values };
    this.content = presets[preset].content;
  }

  settings(): TrainSettings {
    const v = this.values;
    const config = makeConfig(this.preset, {
      hrCrop: v.hrCrop, batch: v.batch, lr: v.lr, phase1Steps: v.phase1Steps, phase2Steps: v.phase2Steps, emaDecay: v.emaDecay, content: this.content,
      generator: { blocks: v.blocks, channels: v.channels },
    });
    if (v.gridEvery < 1 || v.checkpointEvery < 1) throw new Error('config: grid and checkpoint intervals must be ≥ 1');
    return { config, gridEvery: v.gridEvery, checkpointEvery: v.checkpointEvery, profile: this.profile, vggFile: this.vggFile };
  }

  override render() {
    return html`
      <fieldset ?disabled=${this.disabled} style="border:none;padding:0;margin:0">
        <legend class="visually-hidden">Training settings</legend>
        <div class="row" style="margin-bottom:0.5rem">
          <label for="preset">Preset</label>
          <select id="preset" .value=${this.preset} @change=${(e: Event) => this.apply((e.target as HTMLSelectElement).value as PresetName)}>
            <option value="tiny">tiny: residual over bicubic (fast, for this machine)</option>
            <option value="paper">paper: SRResNet 16 blocks × 64 (Ledig et al.)</option>
            <option value="keras">keras: the original Keras project</option>
          </select>
        </div>
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
