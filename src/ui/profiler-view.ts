/**
 * <profiler-view>: per-kernel time (GPU timestamp queries on WebGPU; the wall clock around each
 * kernel on the CPU backend, whose kernels run synchronously), for a workload run on the page's
 * device (the XOR MLP of the first engine demo, or a tiny SRGAN generator's forward and backward)
 * or for the last steps the training worker profiled. Exports the same data as a Chrome trace.
 */
import { LitElement, html } from 'lit';
import * as E from '../engine/index.js';
import { chromeTraceJson, engine } from '../engine/index.js';
import { trainXor } from '../demo/xor.js';
import { makeConfig } from '../srgan/config.js';
import { Generator } from '../srgan/models/generator.js';
import { StoreController, store } from './state.js';
import { download, shared } from './styles.js';
import './profile-table.js';

type Workload = 'xor' | 'generator';

/** Five forward+backward passes of the tiny preset's generator on one 48×48 LR crop. */
async function generatorSteps(): Promise<void> {
  const g = new Generator(makeConfig('tiny').generator);
  const lr = E.randUniform([1, 3, 48, 48], 0, 1, 7);
  try {
    for (let i = 0; i < 5; i++) {
      const loss = E.tidy(() => E.mean(E.square(g.forward(lr))));
      E.backward(loss);
      await loss.read();
      loss.dispose();
      g.zeroGrad();
    }
  } finally {
    lr.dispose();
    g.dispose();
  }
}

export class ProfilerView extends LitElement {
  static override properties = { running: { state: true }, workload: { state: true }, error: { state: true } };
  static override styles = [shared];
  private store = new StoreController(this);
  running = false;
  workload: Workload = 'xor';
  error = '';

  private async run(): Promise<void> {
    const eng = engine();
    this.running = true;
    this.error = '';
    eng.profiler.reset();
    eng.profiler.enable();
    try {
      if (this.workload === 'xor') await trainXor();
      else await generatorSteps();
      await eng.sync();
      const source =
        this.workload === 'xor' ? 'XOR MLP, 300 Adam steps (page device)' : 'tiny generator, 5 forward+backward passes on 48×48 (page device)';
      store.update({ profile: { source, rows: await eng.profiler.report(), events: await eng.profiler.events() } });
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      eng.profiler.enable(false);
      this.running = false;
    }
  }

  private exportTrace(): void {
    const p = this.store.state.profile;
    if (!p) return;
    download(new Blob([chromeTraceJson(p.events, this.store.state.adapter)], { type: 'application/json' }), 'srgan-webgpu.trace.json');
  }

  override render() {
    const { adapter, profile } = this.store.state;
    const supported = adapter?.backend === 'cpu' || !!adapter?.features.includes('timestamp-query');
    return html`
      <section class="card">
        <h2>Profiler</h2>
        ${
          supported
            ? ''
            : html`<p class="note" id="no-timestamps">
                This adapter has no <code>timestamp-query</code> feature, so per-kernel GPU times cannot be measured here. (Chrome exposes it on most
                GPUs; on others start it with --enable-dawn-features=allow_unsafe_apis.)
              </p>`
        }
        <div class="row">
          <label for="workload">Workload</label>
          <select
            id="workload"
            .value=${this.workload}
            @change=${(e: Event) => {
              this.workload = (e.target as HTMLSelectElement).value as Workload;
            }}
          >
            <option value="xor">XOR MLP: 300 Adam steps</option>
            <option value="generator">Tiny SRGAN generator: 5 training passes</option>
          </select>
          <button class="primary" id="profile-run" ?disabled=${!supported || this.running} @click=${() => this.run()}>
            ${this.running ? 'Running…' : 'Run and profile'}
          </button>
          <button id="trace-export" ?disabled=${!profile?.events.length} @click=${() => this.exportTrace()}>Export Chrome trace</button>
        </div>
        <p class="muted">
          Training can also be profiled: tick “Profile kernels” in the Train view's settings and its worker's last steps appear here. Open exported
          traces in <a href="https://ui.perfetto.dev" rel="noopener">Perfetto</a> or chrome://tracing.
        </p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      </section>
      ${
        profile
          ? html`<section class="card" aria-live="polite">
              <h3 id="profile-source">${profile.source}</h3>
              <p class="muted">
                ${adapter?.description || adapter?.vendor || 'adapter'} · ${profile.events.length} timed dispatches in
                ${new Set(profile.events.map((e) => e.submit)).size} submits
              </p>
              ${profile.note ? html`<p class="note">${profile.note}</p>` : ''}
              <profile-table .rows=${profile.rows}></profile-table>
            </section>`
          : ''
      }
    `;
  }
}

customElements.define('profiler-view', ProfilerView);
