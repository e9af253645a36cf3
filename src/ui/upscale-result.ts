/**
 * <upscale-result>: the upscaled image at 1:1 against bicubic on a before/after slider, the
 * PSNR-Y/SSIM-Y table when a ground truth was given, and Download in the format picked (PNG,
 * JPEG or WebP), encoded when asked for.
 */
import { LitElement, html } from 'lit';
import type { HostImage } from '../srgan/image/types.js';
import type { MetricSet } from '../srgan/metrics.js';
import { encodeImage, OUTPUT_FORMATS, type OutputFormat } from './encode-image.js';
import { download, shared } from './styles.js';
import './before-after.js';
import './zoom-view.js';

export interface UpscaleResult {
  sr: HostImage;
  srUrl: string;
  bicubicUrl: string;
  input: { name: string; width: number; height: number };
  scale: number;
  model: string;
  ms: number;
  metrics?: { model: MetricSet; bicubic: MetricSet };
}

export class UpscaleResultView extends LitElement {
  static override properties = { result: { attribute: false }, format: { state: true }, saving: { state: true }, error: { state: true } };
  static override styles = [shared];
  result?: UpscaleResult;
  format: OutputFormat = 'png';
  saving = false;
  error = '';

  private async save(r: UpscaleResult): Promise<void> {
    this.saving = true;
    this.error = '';
    try {
      const ext = OUTPUT_FORMATS.find((f) => f.format === this.format)!.ext;
      download(await encodeImage(r.sr, this.format), `${r.input.name.replace(/\.[^.]+$/, '')}_x${r.scale}.${ext}`);
    } catch (e) {
      this.error = `could not encode the image: ${(e as Error).message}`;
    } finally {
      this.saving = false;
    }
  }

  override render() {
    const r = this.result;
    if (!r) return '';
    const fmt = (m: MetricSet) => `${m.psnr_y.toFixed(2)} dB / ${m.ssim_y.toFixed(4)}`;
    return html` <section class="card" aria-live="polite">
      <h3>Result</h3>
      <p id="upscale-result">
        ${r.input.width}×${r.input.height} → <strong>${r.sr.width}×${r.sr.height}</strong> (×${r.scale}) with ${r.model} in
        ${(r.ms / 1000).toFixed(2)} s
      </p>
      <p class="muted">
        Shown at 1:1 (one output pixel per screen pixel): zoom in to judge the detail, drag the picture to pan, drag the orange divider to compare the
        model (left) with bicubic (right).
      </p>
      <zoom-view id="result-view" .naturalWidth=${r.sr.width} .naturalHeight=${r.sr.height}>
        <before-after .beforeSrc=${r.bicubicUrl} .afterSrc=${r.srUrl} beforeLabel="bicubic" afterLabel="model"></before-after>
      </zoom-view>
      ${
        r.metrics
          ? html`<table id="metrics" style="max-width:28rem">
              <thead>
                <tr>
                  <th>vs. ground truth</th>
                  <th>PSNR-Y / SSIM-Y</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td>bicubic</td>
                  <td>${fmt(r.metrics.bicubic)}</td>
                </tr>
                <tr>
                  <td>model</td>
                  <td>${fmt(r.metrics.model)}</td>
                </tr>
              </tbody>
            </table>`
          : ''
      }
      <p class="row">
        <label
          >Format
          <select
            id="format"
            .value=${this.format}
            @change=${(e: Event) => {
              this.format = (e.target as HTMLSelectElement).value as OutputFormat;
            }}
          >
            ${OUTPUT_FORMATS.map((f) => html`<option value=${f.format} ?selected=${f.format === this.format}>${f.label}</option>`)}
          </select></label
        >
        <button id="download" ?disabled=${this.saving} @click=${() => this.save(r)}>
          ${this.saving ? 'Encoding…' : `Download ${this.format === 'jpeg' ? 'JPEG' : this.format === 'webp' ? 'WebP' : 'PNG'}`}
        </button>
      </p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
    </section>`;
  }
}

customElements.define('upscale-result', UpscaleResultView);
