/** <train-view>: placeholder while the view is being built. */
import { LitElement, html } from 'lit';
import { shared } from './styles.js';

export class TrainView extends LitElement {
  static override styles = [shared];
  override render() {
    return html`<section class="card"><h2>Train</h2><p class="muted">Coming in the next commit.</p></section>`;
  }
}

customElements.define('train-view', TrainView);
