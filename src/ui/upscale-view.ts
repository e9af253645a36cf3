/** <upscale-view>: placeholder while the view is being built. */
import { LitElement, html } from 'lit';
import { shared } from './styles.js';

export class UpscaleView extends LitElement {
  static override styles = [shared];
  override render() {
    return html`<section class="card"><h2>Upscale</h2><p class="muted">Coming in the next commit.</p></section>`;
  }
}

customElements.define('upscale-view', UpscaleView);
