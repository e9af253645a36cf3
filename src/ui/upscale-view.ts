/**
 * <upscale-view>: pick a model and an image, get the ×4 result through tiled inference (with a
 * progress bar), compare it with bicubic on a before/after slider, measure PSNR-Y/SSIM-Y when a
 * ground-truth HR is given too, and download the result as PNG. Runs on the page's device.
 */
import { LitElement, html } from 'lit';
import { bicubicUpscale } from '../srgan/data/degrade.js';
import { decodeImageBlob, encodePngBlob } from '../srgan/image/browser.js';
import type { HostImage } from '../srgan/image/types.js';
import { compareImages, modCrop, type MetricSet } from '../srgan/metrics.js';
import { upscaleImage } from '../srgan/upscale.js';
import type { PretrainedName } from '../srgan/pretrained/index.js';
import { generatorModel, pretrainedChoices, pretrainedModel, shippedChoices, shippedModel, shippedSrganAt, type UpscaleModel } from './model-sources.js';
import { isShippedName } from '../srgan/shipped-models.js';
import { StoreController, store } from './state.js';
import { download, shared } from './styles.js';
import './image-drop.js';
import './before-after.js';
import './zoom-view.js';

interface Result {
  sr: HostImage;
  srUrl: string;
  bicubicUrl: string;
  srBlob: Blob;
  model: string;
  ms: number;
  metrics?: { model: MetricSet; bicubic: MetricSet };
}

export class UpscaleView extends LitElement {
  static override properties = {
    choice: { state: true }, input: { state: true }, hr: { state: true }, progress: { state: true },
    result: { state: true }, error: { state: true }, busy: { state: true }, checkpoint: { state: true }, ensemble: { state: true },
    texture: { state: true },
  };
  static override styles = [shared];
  private store = new StoreController(this);
  choice: string = shippedChoices.find((m) => m.available)?.name ?? pretrainedChoices[0]?.name ?? 'file';
  input?: { image: HostImage; url: string };
  hr?: HostImage;
  checkpoint?: File;
  progress = 0;
  result?: Result;
  error = '';
  busy = false;
  /** Geometric self-ensemble (8 flips/transpositions averaged): a little more PSNR for 8× the time. */
  ensemble = false;
  /** With srgan: its blend with default, 0 (default's fidelity) … 1 (srgan's texture). */
  texture = 1;

  private async loadModel(): Promise<UpscaleModel> {
    if (this.choice === 'srgan' && this.texture < 1) return shippedSrganAt(this.texture);
    if (isShippedName(this.choice)) return shippedModel(this.choice);
    if (this.choice === 'trained') {
      const t = this.store.state.trainedGenerator;
      if (!t) throw new Error('no model has been trained in this session yet (Train view)');
      return generatorModel(t.bytes, `${t.label}, step ${t.step}`);
    }
    if (this.choice === 'file') {
      if (!this.checkpoint) throw new Error('choose a .safetensors generator checkpoint first');
      return generatorModel(new Uint8Array(await this.checkpoint.arrayBuffer()), this.checkpoint.name);
    }
    return pretrainedModel(this.choice as PretrainedName);
  }

  override willUpdate(): void {
    // "Use in Upscale" in the saved runs: select the run's generator, once.
    if (this.store.state.upscaleTrained) {
      this.choice = 'trained';
      queueMicrotask(() => store.update({ upscaleTrained: false }));
    }
  }

  /** Why the chosen input and ground truth can't be compared (checked when either is chosen, before any work). */
  private get inputProblem(): string {
    const input = this.input?.image, hr = this.hr && modCrop(this.hr, 4);
    if (!input || !hr || (hr.width === input.width * 4 && hr.height === input.height * 4)) return '';
    return `the ground truth is ${this.hr!.width}×${this.hr!.height}; it must be 4× the input (${input.width * 4}×${input.height * 4}): choose another ground truth, or remove it`;
  }

  private async onInput(files: File[]): Promise<void> {
    this.error = '';
    try {
      const image = await decodeImageBlob(files[0]);
      if (this.input) URL.revokeObjectURL(this.input.url);
      this.input = { image, url: URL.createObjectURL(files[0]) };
      this.result = undefined;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async onHr(files: File[]): Promise<void> {
    this.error = '';
    try {
      this.hr = await decodeImageBlob(files[0]);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async upscale(): Promise<void> {
    const input = this.input?.image;
    if (!input) return;
    this.busy = true;
    this.error = '';
    this.progress = 0;
    let model: UpscaleModel | undefined;
    try {
      if (this.inputProblem) throw new Error(this.inputProblem);
      const hr = this.hr && modCrop(this.hr, 4);
      model = await this.loadModel();
      const t0 = performance.now();
      // Two passes over the same tiles: the model, then bicubic; the bar covers both.
      const sr = await upscaleImage((x) => model!.run(x), input, {
        selfEnsemble: this.ensemble, onProgress: (d, n) => { this.progress = (0.9 * d) / n; } });
      const ms = performance.now() - t0;
      const bicubic = await upscaleImage((x) => bicubicUpscale(x, 4), input, { onProgress: (d, n) => { this.progress = 0.9 + (0.1 * d) / n; } });
      const [srBlob, bicubicBlob] = await Promise.all([encodePngBlob(sr), encodePngBlob(bicubic)]);
      if (this.result) { URL.revokeObjectURL(this.result.srUrl); URL.revokeObjectURL(this.result.bicubicUrl); }
      this.result = {
        sr, srBlob, srUrl: URL.createObjectURL(srBlob), bicubicUrl: URL.createObjectURL(bicubicBlob),
        model: this.ensemble ? `${model.name} + self-ensemble` : model.name, ms,
        metrics: hr && { model: compareImages(sr, hr), bicubic: compareImages(bicubic, hr) },
      };
      this.progress = 1;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      model?.dispose();
      this.busy = false;
    }
  }

  private renderModelPicker() {
    const trained = this.store.state.trainedGenerator;
    const info = pretrainedChoices.find((m) => m.name === this.choice);
    return html`
      <div class="row">
        <label for="model">Model</label>
        <select id="model" .value=${this.choice} @change=${(e: Event) => { this.choice = (e.target as HTMLSelectElement).value; }}>
          ${shippedChoices.map((m) => html`<option value=${m.name} ?disabled=${!m.available}>Shipped ${m.name} — ${m.description}${m.available ? '' : ' (not in this build)'}</option>`)}
          <option value="trained" ?disabled=${!trained}>Trained here${trained ? ` (step ${trained.step})` : ' (train one first)'}</option>
          <option value="file">A .safetensors checkpoint…</option>
          ${pretrainedChoices.map((m) => html`<option value=${m.name}>UpscalerJS ${m.name}</option>`)}
        </select>
        ${this.choice === 'file' ? html`<label class="button">${this.checkpoint?.name ?? 'Choose checkpoint'}
          <input id="checkpoint" class="visually-hidden" type="file" accept=".safetensors"
            @change=${(e: Event) => { this.checkpoint = (e.target as HTMLInputElement).files?.[0]; }} /></label>` : ''}
        ${this.choice === 'srgan' ? html`<label title="A blend of the two shipped networks' weights (network interpolation)">Texture
          <input id="texture" type="range" min="0" max="1" step="0.05" .value=${String(this.texture)}
            @input=${(e: Event) => { this.texture = Number((e.target as HTMLInputElement).value); }} />
          <span id="texture-value">${this.texture.toFixed(2)}</span>
          <span class="muted">(0 = default: faithful; 1 = srgan: sharpest)</span></label>` : ''}
        <label><input id="self-ensemble" type="checkbox" .checked=${this.ensemble}
          @change=${(e: Event) => { this.ensemble = (e.target as HTMLInputElement).checked; }} />
          Self-ensemble (average of 8 flips/rotations: a little sharper, 8× slower)</label>
      </div>
      ${info ? html`<p class="muted" id="model-info">${info.description}. ${info.license} licence, © ${info.author};
        source: ${info.source} (npm ${info.package}@${info.version}).</p>` : ''}`;
  }

  private renderResult(r: Result) {
    const fmt = (m: MetricSet) => `${m.psnr_y.toFixed(2)} dB / ${m.ssim_y.toFixed(4)}`;
    return html`
      <section class="card" aria-live="polite">
        <h3>Result</h3>
        <p id="upscale-result">${this.input!.image.width}×${this.input!.image.height} → <strong>${r.sr.width}×${r.sr.height}</strong>
          with ${r.model} in ${(r.ms / 1000).toFixed(2)} s</p>
        <p class="muted">Shown at 1:1 (one output pixel per screen pixel): zoom in to judge the ×4 detail, drag the picture to pan,
          drag the orange divider to compare the model (left) with bicubic (right).</p>
        <zoom-view id="result-view" .naturalWidth=${r.sr.width} .naturalHeight=${r.sr.height}>
          <before-after .beforeSrc=${r.bicubicUrl} .afterSrc=${r.srUrl} beforeLabel="bicubic" afterLabel="model"></before-after>
        </zoom-view>
        ${r.metrics ? html`<table id="metrics" style="max-width:28rem"><thead><tr><th>vs. ground truth</th><th>PSNR-Y / SSIM-Y</th></tr></thead>
          <tbody><tr><td>bicubic</td><td>${fmt(r.metrics.bicubic)}</td></tr><tr><td>model</td><td>${fmt(r.metrics.model)}</td></tr></tbody></table>` : ''}
        <p><button id="download" @click=${() => download(r.srBlob, `${(this.input!.image.name ?? 'image').replace(/\.[^.]+$/, '')}_x4.png`)}>
          Download PNG</button></p>
      </section>`;
  }

  override render() {
    return html`
      <section class="card">
        <h2>Upscale ×4</h2>
        ${this.renderModelPicker()}
        <h3>Image</h3>
        <image-drop id="input-drop" label="Drop an image here, or press to choose one" @files=${(e: CustomEvent<File[]>) => this.onInput(e.detail)}></image-drop>
        ${this.input ? html`<p class="muted" id="input-info">${this.input.image.name}: ${this.input.image.width}×${this.input.image.height}</p>` : ''}
        <details ?open=${!!this.hr}><summary id="hr-summary">Ground truth (optional, for PSNR/SSIM)</summary>
          <image-drop id="hr-drop" label="Drop the original high-resolution image (4× the input)" @files=${(e: CustomEvent<File[]>) => this.onHr(e.detail)}></image-drop>
          ${this.hr ? html`<p class="row"><span class="muted" id="hr-info">${this.hr.name}: ${this.hr.width}×${this.hr.height}</span>
            <button type="button" id="hr-remove" @click=${() => { this.hr = undefined; }}>Remove</button></p>` : ''}
        </details>
        ${this.inputProblem ? html`<p class="error" role="alert" id="input-problem">${this.inputProblem}</p>` : ''}
        <p class="row"><button class="primary" id="upscale" ?disabled=${!this.input || this.busy || !!this.inputProblem} @click=${() => this.upscale()}>
          ${this.busy ? 'Upscaling…' : 'Upscale ×4'}</button></p>
        ${this.busy || this.progress ? html`<label>Progress <progress id="upscale-progress" max="1" .value=${this.progress}></progress></label>` : ''}
        ${this.error ? html`<p class="error" role="alert" id="upscale-error">${this.error}</p>` : ''}
      </section>
      ${this.result ? this.renderResult(this.result) : ''}`;
  }
}

customElements.define('upscale-view', UpscaleView);
