/**
 * <sample-images>: the bundled photos to try in the Upscale view, as thumbnail buttons with their
 * size, author and licence (CC-BY needs the attribution shown). Choosing one fetches its file and
 * emits `files`, the same event a drop gives, so the view has one input path.
 */
import { LitElement, css, html } from 'lit';
import { samplePhotos, type SamplePhoto } from './bundled-data.js';
import { shared } from './styles.js';

export class SampleImages extends LitElement {
  static override properties = { disabled: { type: Boolean }, loading: { state: true } };
  static override styles = [
    shared,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
        gap: 0.5rem;
      }
      button {
        width: 100%;
        height: 100%;
        padding: 0.3rem;
        text-align: left;
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
        font-size: 0.8rem;
        line-height: 1.25;
      }
      img {
        width: 100%;
        height: 5.5rem;
        object-fit: cover;
        image-rendering: auto;
        border-radius: 4px;
      }
      .name {
        font-weight: 600;
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
    `,
  ];
  disabled = false;
  loading = '';

  private async choose(s: SamplePhoto): Promise<void> {
    this.loading = s.name;
    try {
      const blob = await (await fetch(s.url)).blob();
      this.dispatchEvent(
        new CustomEvent<File[]>('files', { detail: [new File([blob], s.name, { type: blob.type })], bubbles: true, composed: true }),
      );
      // Closed again, so the preview and the Upscale button come right under it (on a phone, a screen lower).
      this.closest('details')?.removeAttribute('open');
    } finally {
      this.loading = '';
    }
  }

  override render() {
    return html`<ul aria-label="Sample photos">
      ${samplePhotos.map(
        (s) =>
          html`<li>
            <button
              type="button"
              class="sample"
              data-name=${s.name}
              ?disabled=${this.disabled || !!this.loading}
              @click=${() => this.choose(s)}
              title="${s.name}: ${s.author}, ${s.licence}"
            >
              <img src=${s.url} alt="" loading="lazy" />
              <span class="name">${s.name.replace(/_/g, '_\u200b') /* a line may break after an underscore */}</span>
              <span class="muted">${s.width}×${s.height} · ${s.licence}</span>
              <span class="muted">${s.author.replace(/ \(.*$/, '').replace(/;.*$/, '')}</span>
            </button>
          </li>`,
      )}
    </ul>`;
  }
}

customElements.define('sample-images', SampleImages);
