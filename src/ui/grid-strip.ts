/**
 * <grid-strip>: the latest grid of whole held-out images at 1:1 in a zoom/pan viewer (the column
 * labels, step and phase are in the image), the earlier ones as a strip of thumbnails (select one
 * to show it), and the contact sheet of one face over the steps.
 */
import { LitElement, css, html } from 'lit';
import type { GridShot } from './state.js';
import { shared } from './styles.js';
import './zoom-view.js';

export class GridStrip extends LitElement {
  static override properties = { grids: { attribute: false }, contactSheet: { attribute: false }, picked: { state: true } };
  static override styles = [
    shared,
    css`
      .strip {
        display: flex;
        gap: 0.5rem;
        overflow-x: auto;
        padding: 0.25rem 0;
      }
      .strip button {
        padding: 2px;
        flex: none;
      }
      .strip img {
        height: 56px;
        width: auto;
        display: block;
      }
      .strip button[aria-pressed='true'] {
        border-color: #0b57d0;
        border-width: 2px;
      }
    `,
  ];
  grids: GridShot[] = [];
  contactSheet?: string;
  picked?: number;

  override render() {
    if (!this.grids.length) return html`<p class="muted">The first grid appears when training starts.</p>`;
    const shown = this.grids.find((g) => g.step === this.picked) ?? this.grids.at(-1)!;
    return html` <p class="muted">
        Columns: the low-resolution input (each pixel shown as a 4×4 block) | bicubic | the model the run started from (when it started from one) |
        this run's generator | the original. Rows: held-out faces (64×64 → 256×256) and a photo crop.
      </p>
      <figure style="margin:0">
        <zoom-view
          id="grid-latest"
          data-step=${shown.step}
          .src=${shown.url}
          alt="Sample grid at step ${shown.step}: input, bicubic, model output and original of each held-out image"
        ></zoom-view>
        <figcaption class="muted">Step ${shown.step}${shown === this.grids.at(-1) ? ' (latest)' : ''}</figcaption>
      </figure>
      <div class="strip" id="grid-strip" role="group" aria-label="Earlier grids">
        ${this.grids.map(
          (g) =>
            html`<button
              type="button"
              aria-pressed=${g === shown}
              @click=${() => {
                this.picked = g.step;
              }}
              title="step ${g.step}"
            >
              <img src=${g.url} alt="grid at step ${g.step}" />
            </button>`,
        )}
      </div>
      ${
        this.contactSheet
          ? html`<h3>One face over the steps</h3>
              <zoom-view id="contact-sheet" .src=${this.contactSheet} alt="Contact sheet: one held-out face at evenly spaced steps"></zoom-view>`
          : ''
      }`;
  }
}

customElements.define('grid-strip', GridStrip);
