/** <adapter-panel>: which WebGPU adapter the page got, whether it is a software fallback, and its key limits. */
import { LitElement, html } from 'lit';
import { StoreController } from './state.js';
import { shared } from './styles.js';
import { describeAdapter } from '../engine/index.js';

const MiB = 2 ** 20;
const LIMITS: [string, string, (v: number) => string][] = [
  ['maxBufferSize', 'max buffer', (v) => `${(v / MiB).toFixed(0)} MiB`],
  ['maxStorageBufferBindingSize', 'max storage binding', (v) => `${(v / MiB).toFixed(0)} MiB`],
  ['maxComputeWorkgroupStorageSize', 'workgroup memory', (v) => `${(v / 1024).toFixed(0)} KiB`],
  ['maxComputeInvocationsPerWorkgroup', 'invocations / workgroup', String],
];

export class AdapterPanel extends LitElement {
  static override styles = [shared];
  private store = new StoreController(this);

  override render() {
    const a = this.store.state.adapter;
    if (!a) return html`<p class="muted" id="adapter-pending">Looking for a WebGPU adapter…</p>`;
    return html`
      <section class="card" aria-labelledby="adapter-title">
        <h2 id="adapter-title">Adapter</h2>
        <p id="adapter"><strong>${describeAdapter(a)}</strong>${a.isSoftware
          ? html` <span id="adapter-kind" class="muted">a fallback that runs on the CPU: expect slow training</span>` : ''}</p>
        <dl class="row" style="margin:0">
          ${LIMITS.filter(([k]) => a.limits[k] !== undefined).map(([k, label, fmt]) =>
            html`<div><dt class="muted" style="display:inline">${label}</dt> <dd style="display:inline;margin:0">${fmt(a.limits[k])}</dd></div>`)}
          <div><dt class="muted" style="display:inline">timestamp-query</dt>
            <dd style="display:inline;margin:0">${a.features.includes('timestamp-query') ? 'yes' : 'no'}</dd></div>
        </dl>
      </section>`;
  }
}

customElements.define('adapter-panel', AdapterPanel);
