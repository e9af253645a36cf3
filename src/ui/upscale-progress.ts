/**
 * <upscale-progress>: the bar of a running upscale with its percentage, what it is doing (tile k
 * of n of the model, then bicubic), the time left, and Cancel. Before the first tile is done there
 * is no rate yet, so it says so instead of showing a guess.
 */
import { LitElement, css, html } from 'lit';
import { formatMs } from './upscale-plan.js';
import { shared } from './styles.js';

export class UpscaleProgress extends LitElement {
  static override properties = { fraction: { type: Number }, detail: {}, etaMs: { type: Number }, running: { type: Boolean } };
  static override styles = [
    shared,
    css`
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
        align-items: center;
        margin-top: 0.4rem;
      }
      #upscale-percent {
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];
  fraction = 0;
  detail = '';
  etaMs?: number;
  running = false;

  override render() {
    const pct = Math.floor(this.fraction * 100);
    const eta = !this.running ? '' : this.etaMs === undefined ? 'time left: measured after the first tile' : `about ${formatMs(this.etaMs)} left`;
    return html` <progress id="upscale-progress" max="1" .value=${this.fraction} aria-label="Upscale progress"></progress>
      <div class="line" role="status">
        <span id="upscale-percent">${pct} %</span>
        <span class="muted" id="upscale-detail">${this.detail}</span>
        <span class="muted" id="upscale-eta">${eta}</span>
        ${this.running ? html`<button type="button" id="upscale-cancel" @click=${() => this.dispatchEvent(new CustomEvent('cancel', { bubbles: true, composed: true }))}>Cancel</button>` : ''}
      </div>`;
  }
}

customElements.define('upscale-progress', UpscaleProgress);
