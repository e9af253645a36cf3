/**
 * <before-after>: two images of the same size stacked; a slider (keyboard-operable range input)
 * reveals the "after" image from the left up to its position.
 */
import { LitElement, css, html } from 'lit';
import { shared } from './styles.js';

export class BeforeAfter extends LitElement {
  static override properties = { beforeSrc: {}, afterSrc: {}, beforeLabel: {}, afterLabel: {}, position: { state: true } };
  static override styles = [shared, css`
    .stack { position: relative; width: min(100%, 48rem); line-height: 0; }
    /* Shown larger than life, pixel for pixel, so that the two methods' detail can be compared. */
    .stack img { display: block; width: 100%; image-rendering: pixelated; }
    .after { position: absolute; inset: 0; width: 100%; height: 100%; }
    .line { position: absolute; top: 0; bottom: 0; width: 2px; background: #e8a317; pointer-events: none; }
    .tag { position: absolute; top: 0.4rem; background: #000b; color: #fff; font-size: 0.8rem; line-height: 1.2; padding: 0.15rem 0.4rem; border-radius: 4px; }
    input[type='range'] { width: 100%; }
  `];
  beforeSrc = '';
  afterSrc = '';
  beforeLabel = 'before';
  afterLabel = 'after';
  position = 50;

  override render() {
    return html`
      <div class="stack">
        <img src=${this.beforeSrc} alt=${this.beforeLabel} />
        <img class="after" src=${this.afterSrc} alt=${this.afterLabel} style="clip-path: inset(0 ${100 - this.position}% 0 0)" />
        <div class="line" style="left: ${this.position}%"></div>
        <span class="tag" style="left: 0.4rem">${this.afterLabel}</span>
        <span class="tag" style="right: 0.4rem">${this.beforeLabel}</span>
      </div>
      <label style="display:block;max-width:48rem">Compare (drag, or use the arrow keys): <input type="range" min="0" max="100" .value=${String(this.position)}
        aria-valuetext="${this.position}% ${this.afterLabel}"
        @input=${(e: Event) => { this.position = Number((e.target as HTMLInputElement).value); }} /></label>
    `;
  }
}

customElements.define('before-after', BeforeAfter);
