/**
 * <upscale-view>: pick a model, its scale and an image (dropped, chosen, or a bundled sample, shown
 * as a preview), see what the result will cost (size, memory, and time from a rate measured on
 * this adapter), confirm a large one, and watch it run through the tiles with a percentage, the
 * time left and Cancel. The result is compared with bicubic (and with a ground truth when one is
 * given) and downloaded as PNG, JPEG or WebP. Runs on the page's engine through createUpscaler,
 * with the app's bundled model files as its reader.
 */
import { LitElement, css, html } from 'lit';
import * as E from '../engine/index.js';
import { bicubicUpscale } from '../srgan/data/degrade.js';
import { decodeImageBlob, encodePngBlob } from '../srgan/image/browser.js';
import type { HostImage } from '../srgan/image/types.js';
import { compareImages, modCrop } from '../srgan/metrics.js';
import { upscaleImage } from '../srgan/serve/upscale.js';
import { createUpscaler, type UpscalerOptions } from '../srgan/serve/upscaler.js';
import { hostImageFromRgba, rgbaFromHostImage } from '../srgan/serve/upscaler-image.js';
import { srganAtTextureName } from '../srgan/store/checkpoint.js';
import { ConfigError } from '../srgan/errors.js';
import { isPretrainedName, type PretrainedName, type PretrainedScale } from '../srgan/pretrained/index.js';
import { bundledModelReader, pretrainedChoices, pretrainedScales, shippedChoices } from './model-sources.js';
import { isShippedName } from '../srgan/shipped-models.js';
import { StoreController, store } from './state.js';
import { shared } from './styles.js';
import { formatBytes, formatMs, megapixels, planUpscale, storedRate, storeRate, UpscaleClock, type Plan, type RateKey } from './upscale-plan.js';
import type { UpscaleResult } from './upscale-result.js';
import './image-drop.js';
import './sample-images.js';
import './upscale-progress.js';
import './upscale-result.js';

interface Input {
  image: HostImage;
  url: string;
  name: string;
}

export class UpscaleView extends LitElement {
  static override properties = {
    choice: { state: true },
    scale: { state: true },
    input: { state: true },
    hr: { state: true },
    result: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
    confirming: { state: true },
    checkpoint: { state: true },
    ensemble: { state: true },
    texture: { state: true },
    fraction: { state: true },
    detail: { state: true },
    etaMs: { state: true },
  };
  static override styles = [
    shared,
    css`
      select {
        max-width: 100%;
      }
      #input-preview {
        display: block;
        max-height: 12rem;
        max-width: 100%;
        width: auto;
        image-rendering: auto;
        border: 1px solid #d0d4da;
        border-radius: 6px;
      }
      .preview {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: flex-start;
        margin-top: 0.5rem;
      }
      .preview p {
        margin: 0;
      }
    `,
  ];
  private store = new StoreController(this);
  choice: string = shippedChoices.find((m) => m.available)?.name ?? pretrainedChoices[0]?.name ?? 'file';
  /** The chosen scale for UpscalerJS models; the generators have their own (×4). */
  scale: PretrainedScale = 4;
  input?: Input;
  hr?: HostImage;
  checkpoint?: File;
  result?: UpscaleResult;
  error = '';
  /** What the last run ended with when it was not a result (Cancel). */
  notice = '';
  busy = false;
  /** The large-input warning is on screen, waiting for Start or Back. */
  confirming = false;
  /** Geometric self-ensemble (8 flips/transpositions averaged): a little more PSNR for 8× the time. */
  ensemble = false;
  /** With srgan: its blend with default, 0 (default's fidelity) … 1 (srgan's texture). */
  texture = 1;
  fraction = 0;
  detail = '';
  etaMs?: number;
  private abort?: AbortController;
  /** Live GPU buffers when no upscale runs (shown as a data attribute: a cancelled run must leave none behind). */
  private liveBuffers = 0;

  private get pretrained(): PretrainedName | undefined {
    return isPretrainedName(this.choice) ? this.choice : undefined;
  }

  /** The factor this run will have: the chosen one for UpscalerJS models, ×4 for the generators. */
  private get runScale(): number {
    return this.pretrained ? this.scale : 4;
  }

  private get rateKey(): RateKey {
    const model = this.choice === 'file' ? `file ${this.checkpoint?.name}` : this.choice === 'srgan' ? `srgan@${this.texture}` : this.choice;
    return { adapter: E.describeAdapter(E.engine().adapter), model, scale: this.runScale, ensemble: this.ensemble };
  }

  private get plan(): Plan | undefined {
    const im = this.input?.image;
    return im && planUpscale(im.width, im.height, this.runScale, storedRate(this.rateKey));
  }

  /** The chosen model as createUpscaler's options, named as the result line shows it. */
  private async upscalerOptions(): Promise<UpscalerOptions> {
    const base = { reader: bundledModelReader, selfEnsemble: this.ensemble };
    if (this.pretrained) return { ...base, model: this.pretrained, scale: this.scale };
    if (this.choice === 'srgan' && this.texture < 1)
      return { ...base, model: 'srgan', texture: this.texture, name: `shipped ${srganAtTextureName(this.texture)}` };
    if (isShippedName(this.choice)) return { ...base, model: this.choice, name: `shipped ${this.choice}` };
    if (this.choice === 'trained') {
      const t = this.store.state.trainedGenerator;
      if (!t) throw new ConfigError('no model has been trained in this session yet (Train view)');
      return { ...base, model: t.bytes, name: `${t.label}, step ${t.step}` };
    }
    if (!this.checkpoint) throw new ConfigError('choose a .safetensors generator checkpoint first');
    return { ...base, model: new Uint8Array(await this.checkpoint.arrayBuffer()), name: this.checkpoint.name };
  }

  override willUpdate(): void {
    // "Use in Upscale" in the saved runs: select the run's generator, once.
    if (this.store.state.upscaleTrained) {
      this.choice = 'trained';
      queueMicrotask(() => store.update({ upscaleTrained: false }));
    }
    // A scale the newly chosen model lacks falls back to ×4, which every model has.
    if (this.pretrained && !pretrainedScales(this.pretrained).includes(this.scale)) this.scale = 4;
  }

  /** Why the chosen input and ground truth can't be compared (checked when either is chosen, before any work). */
  private get inputProblem(): string {
    const input = this.input?.image,
      s = this.runScale,
      hr = this.hr && modCrop(this.hr, s);
    if (!input || !hr || (hr.width === input.width * s && hr.height === input.height * s)) return '';
    return `the ground truth is ${this.hr!.width}×${this.hr!.height}; it must be ${s}× the input (${input.width * s}×${input.height * s}): choose another ground truth, or remove it`;
  }

  private async onInput(files: File[]): Promise<void> {
    if (this.busy) {
      this.error = 'an upscale is running: cancel it (or let it finish) before choosing another image';
      return;
    }
    this.error = '';
    this.notice = '';
    this.confirming = false;
    try {
      const image = await decodeImageBlob(files[0]);
      if (this.input) URL.revokeObjectURL(this.input.url);
      this.input = { image, url: URL.createObjectURL(files[0]), name: files[0].name };
      this.result = undefined;
      [this.fraction, this.detail] = [0, '']; // the last run's bar belongs to the last input
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

  /** The Upscale button: a large input first shows what it will cost, and starts on Start. */
  private request(): void {
    if (this.plan?.large && !this.confirming) this.confirming = true;
    else void this.upscale();
  }

  private async upscale(): Promise<void> {
    const input = this.input;
    if (!input) return;
    [this.busy, this.confirming, this.error, this.notice, this.fraction, this.etaMs] = [true, false, '', '', 0, undefined];
    this.detail = 'loading the model…';
    const abort = (this.abort = new AbortController()),
      signal = abort.signal,
      key = this.rateKey;
    const clock = new UpscaleClock(),
      pixels = input.image.width * input.image.height;
    let upscaler: ReturnType<typeof createUpscaler> | undefined;
    try {
      if (this.inputProblem) throw new ConfigError(this.inputProblem);
      upscaler = createUpscaler(await this.upscalerOptions());
      const model = await upscaler.info(); // reads and loads the model: its name and scale
      signal.throwIfAborted();
      const s = model.scale,
        hr = this.hr && modCrop(this.hr, s);
      this.detail = 'first tile: building the kernels…';
      const t0 = performance.now();
      // Two passes over the same tiles: the model (90 % of the bar), then bicubic for the comparison.
      const sr = hostImageFromRgba(
        await upscaler.upscale(rgbaFromHostImage(input.image), {
          signal,
          onProgress: (d, n) => {
            clock.tile(d, n);
            [this.fraction, this.detail, this.etaMs] = [(0.9 * d) / n, `model: tile ${d} of ${n}`, clock.etaMs];
          },
        }),
        input.name,
      );
      const ms = performance.now() - t0;
      // One tile's time is mostly the kernels compiling: a rate needs two tiles or more.
      if (clock.tilesDone >= 2) storeRate(key, clock.msPerMp(pixels)!);
      this.detail = 'bicubic, for the comparison';
      const bicubic = await upscaleImage((x) => bicubicUpscale(x, s), input.image, {
        scale: s,
        signal,
        onProgress: (d, n) => {
          this.fraction = 0.9 + (0.1 * d) / n;
          this.etaMs = undefined;
        },
      });
      this.detail = 'encoding for display';
      const [srBlob, bicubicBlob] = await Promise.all([encodePngBlob(sr), encodePngBlob(bicubic)]);
      signal.throwIfAborted();
      if (this.result) {
        URL.revokeObjectURL(this.result.srUrl);
        URL.revokeObjectURL(this.result.bicubicUrl);
      }
      this.result = {
        sr,
        srUrl: URL.createObjectURL(srBlob),
        bicubicUrl: URL.createObjectURL(bicubicBlob),
        scale: s,
        input: { name: input.name, width: input.image.width, height: input.image.height },
        model: this.ensemble ? `${model.name} + self-ensemble` : model.name,
        ms,
        metrics: hr && { model: compareImages(sr, hr), bicubic: compareImages(bicubic, hr) },
      };
      [this.fraction, this.detail] = [1, 'done'];
    } catch (e) {
      if (signal.aborted) {
        // A cancelled run still measured its tiles: the next estimate uses them.
        if (clock.tilesDone >= 2) storeRate(key, clock.msPerMp(pixels)!);
        this.notice =
          `Cancelled at ${Math.floor(this.fraction * 100)} % (tile ${clock.tilesDone} of ${clock.tiles || '?'}). ` +
          'Nothing was kept, and the GPU memory it used is free again.';
        [this.fraction, this.detail] = [0, ''];
      } else this.error = (e as Error).message;
    } finally {
      await upscaler?.dispose();
      this.abort = undefined;
      this.etaMs = undefined;
      this.liveBuffers = E.engine().memory().liveBuffers;
      this.busy = false;
    }
  }

  private renderModelPicker() {
    const trained = this.store.state.trainedGenerator;
    const info = pretrainedChoices.find((m) => m.name === this.choice);
    const scales = this.pretrained ? pretrainedScales(this.pretrained) : [4];
    return html` <div class="row">
        <label for="model">Model</label>
        <select
          id="model"
          .value=${this.choice}
          ?disabled=${this.busy}
          @change=${(e: Event) => {
            this.choice = (e.target as HTMLSelectElement).value;
            this.confirming = false;
          }}
        >
          ${shippedChoices.map((m) => html`<option value=${m.name} ?disabled=${!m.available}>Shipped ${m.name} — ${m.description}${m.available ? '' : ' (not in this build)'}</option>`)}
          <option value="trained" ?disabled=${!trained}>Trained here${trained ? ` (step ${trained.step})` : ' (train one first)'}</option>
          <option value="file">A .safetensors checkpoint…</option>
          ${pretrainedChoices.map((m) => html`<option value=${m.name}>UpscalerJS ${m.name}</option>`)}
        </select>
        <label title=${this.pretrained ? 'UpscalerJS ships one network per scale' : 'This network upscales ×4 only'}
          >Scale
          <select
            id="scale"
            .value=${String(this.runScale)}
            ?disabled=${this.busy || scales.length < 2}
            @change=${(e: Event) => {
              this.scale = Number((e.target as HTMLSelectElement).value) as PretrainedScale;
              this.confirming = false;
            }}
          >
            ${scales.map((s) => html`<option value=${s} ?selected=${s === this.runScale}>×${s}</option>`)}
          </select></label
        >
        ${
          this.choice === 'file'
            ? html`<label class="button"
                >${this.checkpoint?.name ?? 'Choose checkpoint'}
                <input
                  id="checkpoint"
                  class="visually-hidden"
                  type="file"
                  accept=".safetensors"
                  @change=${(e: Event) => {
                    this.checkpoint = (e.target as HTMLInputElement).files?.[0];
                  }}
              /></label>`
            : ''
        }
        ${
          this.choice === 'srgan'
            ? html`<label title="A blend of the two shipped networks' weights (network interpolation)"
                >Texture
                <input
                  id="texture"
                  type="range"
                  min="0"
                  max="1"
                  step="0.05"
                  .value=${String(this.texture)}
                  @input=${(e: Event) => {
                    this.texture = Number((e.target as HTMLInputElement).value);
                  }}
                />
                <span id="texture-value">${this.texture.toFixed(2)}</span>
                <span class="muted">(0 = default: faithful; 1 = srgan: sharpest)</span></label
              >`
            : ''
        }
        <label
          ><input
            id="self-ensemble"
            type="checkbox"
            .checked=${this.ensemble}
            @change=${(e: Event) => {
              this.ensemble = (e.target as HTMLInputElement).checked;
              this.confirming = false;
            }}
          />
          Self-ensemble (average of 8 flips/rotations: a little sharper, 8× slower)</label
        >
      </div>
      ${
        info
          ? html`<p class="muted" id="model-info">
              ${info.description}. ${info.license} licence, © ${info.author}; source: ${info.source} (npm ${info.package}@${info.version}).
            </p>`
          : ''
      }`;
  }

  private renderInput() {
    const input = this.input,
      plan = this.plan;
    if (!input || !plan) return '';
    const im = input.image;
    const time =
      plan.ms === undefined ? 'time: shown as the tiles run (no rate measured on this adapter yet)' : `about ${formatMs(plan.ms)} on this adapter`;
    return html`<div class="preview">
      <img id="input-preview" src=${input.url} alt="The chosen input, ${input.name}" />
      <div>
        <p id="input-info">${input.name}: ${im.width}×${im.height}</p>
        <p class="muted" id="input-plan">
          ×${this.runScale} → ${plan.outWidth}×${plan.outHeight} (${megapixels(plan.outWidth, plan.outHeight)}), about ${formatBytes(plan.bytes)} of
          memory in this tab, ${time}
        </p>
      </div>
    </div>`;
  }

  private renderConfirm() {
    const plan = this.plan!;
    return html`<div class="note" role="alertdialog" aria-labelledby="large-title" id="large-warning">
      <p>
        <strong id="large-title">This is a large upscale.</strong> The result is ${plan.outWidth}×${plan.outHeight}
        (${megapixels(plan.outWidth, plan.outHeight)}), which takes about ${formatBytes(plan.bytes)} of memory in this tab,
        ${plan.ms === undefined ? 'and how long it takes shows after its first tiles (no earlier run of this model on this adapter)' : html`and about <strong>${formatMs(plan.ms)}</strong> on this adapter (measured on an earlier run)`}.
        Cancel stops it at any time.
      </p>
      <p class="row">
        <button class="primary" id="large-start" @click=${() => this.upscale()}>Start anyway</button>
        <button
          id="large-back"
          @click=${() => {
            this.confirming = false;
          }}
        >
          Back
        </button>
      </p>
    </div>`;
  }

  override render() {
    return html` <section class="card">
        <h2>Upscale</h2>
        ${this.renderModelPicker()}
        <h3>Image</h3>
        <image-drop
          id="input-drop"
          label="Drop an image here, or press to choose one"
          @files=${(e: CustomEvent<File[]>) => this.onInput(e.detail)}
        ></image-drop>
        <details>
          <summary id="samples-summary">Or try a sample photo</summary>
          <sample-images ?disabled=${this.busy} @files=${(e: CustomEvent<File[]>) => this.onInput(e.detail)}></sample-images>
        </details>
        ${this.renderInput()}
        <details ?open=${!!this.hr}>
          <summary id="hr-summary">Ground truth (optional, for PSNR/SSIM)</summary>
          <image-drop
            id="hr-drop"
            label="Drop the original high-resolution image (${this.runScale}× the input)"
            @files=${(e: CustomEvent<File[]>) => this.onHr(e.detail)}
          ></image-drop>
          ${
            this.hr
              ? html`<p class="row">
                  <span class="muted" id="hr-info">${this.hr.name}: ${this.hr.width}×${this.hr.height}</span>
                  <button
                    type="button"
                    id="hr-remove"
                    @click=${() => {
                      this.hr = undefined;
                    }}
                  >
                    Remove
                  </button>
                </p>`
              : ''
          }
        </details>
        ${this.inputProblem ? html`<p class="error" role="alert" id="input-problem">${this.inputProblem}</p>` : ''}
        ${
          this.confirming
            ? this.renderConfirm()
            : html`<p class="row">
                <button class="primary" id="upscale" ?disabled=${!this.input || this.busy || !!this.inputProblem} @click=${() => this.request()}>
                  ${this.busy ? 'Upscaling…' : `Upscale ×${this.runScale}`}
                </button>
              </p>`
        }
        ${
          this.busy || this.fraction
            ? html`<upscale-progress
                .fraction=${this.fraction}
                .detail=${this.detail}
                .etaMs=${this.etaMs}
                ?running=${this.busy}
                @cancel=${() => this.abort?.abort()}
              ></upscale-progress>`
            : ''
        }
        <p class="muted" id="upscale-state" data-state=${this.busy ? 'running' : 'idle'} data-live-buffers=${this.liveBuffers}>${this.notice}</p>
        ${this.error ? html`<p class="error" role="alert" id="upscale-error">${this.error}</p>` : ''}
      </section>
      <upscale-result .result=${this.result}></upscale-result>`;
  }
}

customElements.define('upscale-view', UpscaleView);
