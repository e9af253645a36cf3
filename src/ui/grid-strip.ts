/**
 * <grid-strip>: the latest LR | bicubic | SR | HR grid large, and the earlier ones as a strip of
 * thumbnails (select one to show it large), like the original project's figures over epochs.
 */
import { LitElement, css, html } from 'lit';
import type { GridShot } from './state.js';
import { shared } from './styles.js';

export class GridStrip extends LitElement {
  static override properties = { grids: { attribute: false }, picked: { state: true } };
  static override styles = [shared, css`
    .cols { display: grid; grid-template-columns: repeat(4, 1fr); text-align: center; font-size: 0.85rem; max-width: 48rem; }
    .big { width: min(100%, 48rem); }
    .strip { display: flex; gap: 0.5rem; overflow-x: auto; padding: 0.25rem 0; }
    .strip button { padding: 2px; flex: none; }
    .strip img { height: 56px; width: auto; display: block; }
    .strip button[aria-pressed='true'] { border-color: #0b57d0; border-width: 2px; }
  `];
  grids: GridShot[] = [];
  picked?: number;

  override render() {
    if (!this.grids.length) return html`<p class="muted">The first grid appears when training starts.</p>`;
    const shown = this.grids.find((g) => g.step === this.picked) ?? this.grids.at(-1)!;
    return html`
      <figure style="margin:0">
        <div class="cols" aria-hidden="true"><span>LR</span><span>bicubic</span><span>SR (model)</span><span>HR</span></div>
        <img class="big" id="grid-latest" src=${shown.url} data-step=${shown.step}
          alt="Sample grid at step ${shown.step}: low-resolution input, bicubic, model output, original" />
        <figcaption class="muted">Step ${shown.step}${shown === this.grids.at(-1) ? ' (latest)' : ''}</figcaption>
      </figure>
      <div class="strip" id="grid-strip" role="group" aria-label="Earlier grids">
        ${this.grids.map((g) => html`<button type="button" aria-pressed=${g === shown} @click=${() => { this.picked = g.step; }}
          title="step ${g.step}"><img src=${g.url} alt="grid at step ${g.step}" /></button>`)}
      </div>`;
  }
}

customElements.define('grid-strip', GridStrip);
