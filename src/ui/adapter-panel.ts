/**
 * <adapter-panel>: which backend the page runs on: the WebGPU adapter (whether it is a software
 * fallback, and its key limits), or the CPU backend and its threads.
 */
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
    if (a.backend === 'cpu') {
      return html` <section class="card" aria-labelledby="adapter-title">
        <h2 id="adapter-title">Backend</h2>
        <p id="adapter">
          <strong>${describeAdapter(a)}</strong>
          <span id="adapter-kind" class="muted"
            >no hardware GPU here, so the engine runs its own CPU kernels (faster than a software WebGPU adapter). Training runs in a worker, on every
            core when the page is cross-origin isolated; this page's own work (Upscale) runs on one thread.</span
          >
        </p>
        <dl class="row" style="margin:0">
          <div>
            <dt class="muted" style="display:inline">profiler</dt>
            <dd style="display:inline;margin:0">wall clock per kernel</dd>
          </div>
        </dl>
      </section>`;
    }
    return html` <section class="card" aria-labelledby="adapter-title">
      <h2 id="adapter-title">Adapter</h2>
      <p id="adapter">
        <strong>${describeAdapter(a)}</strong>${
          a.isSoftware ? html` <span id="adapter-kind" class="muted">a fallback that runs on the CPU: expect slow training</span>` : ''
        }
      </p>
      <dl class="row" style="margin:0">
        ${LIMITS.filter(([k]) => a.limits[k] !== undefined).map(
          ([k, label, fmt]) =>
            html`<div>
              <dt class="muted" style="display:inline">${label}</dt>
              <dd style="display:inline;margin:0">${fmt(a.limits[k])}</dd>
            </div>`,
        )}
        <div>
          <dt class="muted" style="display:inline">timestamp-query</dt>
          <dd style="display:inline;margin:0">${a.features.includes('timestamp-query') ? 'yes' : 'no'}</dd>
        </div>
      </dl>
    </section>`;
  }
}

customElements.define('adapter-panel', AdapterPanel);
