/**
 * <data-picker>: what to train on. The bundled faces and photos, or the user's own images (dropped,
 * picked, or a whole folder): thumbnails, a count, and a list of the files that will be skipped
 * (not images, unreadable, or, as the worker reports, smaller than the training crop).
 */
import { LitElement, css, html } from 'lit';
import { bundledTraining } from './bundled-data.js';
import { StoreController } from './state.js';
import { shared } from './styles.js';
import './image-drop.js';

export type DataChoice = { kind: 'bundled' } | { kind: 'files'; files: File[] };

const IMAGE_FILE = /\.(png|jpe?g|webp|gif|bmp|avif)$/i;
const MAX_THUMBS = 48;

export class DataPicker extends LitElement {
  static override properties = { kind: { state: true }, files: { state: true }, skipped: { state: true } };
  static override styles = [
    shared,
    css`
      .thumbs {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(64px, 1fr));
        gap: 4px;
        margin: 0.5rem 0;
      }
      .thumbs img {
        width: 100%;
        aspect-ratio: 1;
        object-fit: cover;
        border-radius: 4px;
        image-rendering: auto;
      }
      fieldset {
        border: none;
        padding: 0;
        margin: 0 0 0.5rem;
      }
    `,
  ];
  private store = new StoreController(this);
  kind: DataChoice['kind'] = 'bundled';
  files: { file: File; url: string }[] = [];
  skipped: { name: string; reason: string }[] = [];

  get choice(): DataChoice {
    return this.kind === 'bundled' ? { kind: 'bundled' } : { kind: 'files', files: this.files.map((f) => f.file) };
  }

  private add(files: File[]): void {
    const images = files.filter((f) => f.type.startsWith('image/') || IMAGE_FILE.test(f.name));
    this.skipped = [...this.skipped, ...files.filter((f) => !images.includes(f)).map((f) => ({ name: f.name, reason: 'not an image file' }))];
    this.files = [...this.files, ...images.map((file) => ({ file, url: URL.createObjectURL(file) }))];
    this.kind = 'files';
  }

  private unreadable(bad: { file: File; url: string }): void {
    URL.revokeObjectURL(bad.url);
    this.files = this.files.filter((f) => f !== bad);
    this.skipped = [...this.skipped, { name: bad.file.name, reason: 'the browser cannot decode it' }];
  }

  private clear(): void {
    for (const f of this.files) URL.revokeObjectURL(f.url);
    this.files = [];
    this.skipped = [];
  }

  override render() {
    const workerSkipped = this.store.state.train.skipped ?? [];
    const skipped = [...this.skipped, ...workerSkipped.filter((w) => !this.skipped.some((s) => s.name === w.name))];
    return html`
      <fieldset>
        <legend class="visually-hidden">Training images</legend>
        <label
          ><input
            type="radio"
            name="data"
            value="bundled"
            .checked=${this.kind === 'bundled'}
            @change=${() => {
              this.kind = 'bundled';
            }}
          />
          Bundled faces and photos (${bundledTraining.length} images)</label
        >
        <label
          ><input
            type="radio"
            name="data"
            value="files"
            id="data-files"
            .checked=${this.kind === 'files'}
            @change=${() => {
              this.kind = 'files';
            }}
          />
          My images</label
        >
      </fieldset>
      ${
        this.kind === 'files'
          ? html` <image-drop
                id="data-drop"
                multiple
                folder
                label="Drop images or a folder here, or press to choose files"
                @files=${(e: CustomEvent<File[]>) => this.add(e.detail)}
              ></image-drop>
              <p id="data-count">
                ${this.files.length} image${this.files.length === 1 ? '' : 's'} chosen
                ${this.files.length ? html`<button type="button" @click=${() => this.clear()}>Clear</button>` : ''}
              </p>
              <div class="thumbs">
                ${this.files
                  .slice(0, MAX_THUMBS)
                  .map((f) => html`<img src=${f.url} alt=${f.file.name} title=${f.file.name} loading="lazy" @error=${() => this.unreadable(f)} />`)}
              </div>
              ${this.files.length > MAX_THUMBS ? html`<p class="muted">and ${this.files.length - MAX_THUMBS} more</p>` : ''}`
          : ''
      }
      ${
        skipped.length
          ? html`<details id="skipped" open>
              <summary>${skipped.length} skipped</summary>
              <ul>
                ${skipped.map((s) => html`<li><strong>${s.name || 'image'}</strong>: ${s.reason}</li>`)}
              </ul>
            </details>`
          : ''
      }
    `;
  }
}

customElements.define('data-picker', DataPicker);
