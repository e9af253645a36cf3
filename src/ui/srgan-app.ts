/**
 * <srgan-app>: the page. Acquires the page's WebGPU device (the training worker gets its own),
 * shows the adapter, and switches between the Train, Upscale and Profiler views with an ARIA tab
 * list (arrow keys move between tabs). Without WebGPU it shows one message saying what to do.
 */
import { LitElement, css, html } from 'lit';
import { initEngine } from '../engine/index.js';
import { StoreController, store, type Tab } from './state.js';
import { shared } from './styles.js';
import './adapter-panel.js';
import './train-view.js';
import './upscale-view.js';
import './profiler-view.js';

const TABS: [Tab, string][] = [
  ['train', 'Train'],
  ['upscale', 'Upscale'],
  ['profiler', 'Profiler'],
];

const NO_WEBGPU_HELP =
  'Open this page in a browser with WebGPU: Chrome or Edge 113 or newer (on Linux start it with ' +
  '--enable-unsafe-webgpu, or enable chrome://flags/#enable-unsafe-webgpu), or Safari 26. The page must be served ' +
  'from https:// or http://localhost.';

export class SrganApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        max-width: 72rem;
        margin: 0 auto;
        padding: 1rem clamp(0.75rem, 3vw, 2rem) 3rem;
      }
      header h1 {
        font-size: 1.5rem;
        margin: 0.5rem 0 0.25rem;
      }
      [role='tablist'] {
        display: flex;
        gap: 0.25rem;
        border-bottom: 2px solid #d0d4da;
        margin: 1rem 0;
      }
      [role='tab'] {
        border: none;
        border-bottom: 3px solid transparent;
        border-radius: 6px 6px 0 0;
        padding: 0.5rem 1rem;
        margin-bottom: -2px;
        background: none;
      }
      [role='tab'][aria-selected='true'] {
        border-bottom-color: #0b57d0;
        color: #0b57d0;
        font-weight: 600;
      }
      .fatal {
        border-color: #a50e0e;
      }
    `,
  ];
  private store = new StoreController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    void this.init();
  }

  private async init(): Promise<void> {
    // Without WebGPU (or with only a software adapter) the engine's CPU backend runs the app.
    try {
      const eng = await initEngine({ log: () => {} });
      store.update({ adapter: eng.adapter });
    } catch (e) {
      store.update({ fatal: `The engine could not start: ${(e as Error).message} ${NO_WEBGPU_HELP}` });
    }
  }

  private select(tab: Tab, focus = false): void {
    store.update({ tab });
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = TABS.findIndex(([t]) => t === this.store.state.tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.select(TABS[(next + TABS.length) % TABS.length][0], true);
  }

  override render() {
    const { fatal, adapter, tab } = this.store.state;
    return html`
      <header>
        <h1>SRGAN on WebGPU</h1>
        <p class="muted">
          Train a super-resolution GAN on your own photos, upscale images ×4 and see which GPU kernels take the time. Everything runs on this machine
          (its GPU, or the CPU backend without one); no image leaves the page.
        </p>
      </header>
      ${
        fatal
          ? html`<section class="card fatal" role="alert" id="fatal">
              <h2>WebGPU is not available</h2>
              <p>${fatal}</p>
            </section>`
          : html` <adapter-panel></adapter-panel>
              <nav role="tablist" aria-label="Views" @keydown=${this.onTabKey}>
                ${TABS.map(
                  ([t, label]) =>
                    html`<button
                      role="tab"
                      id="tab-${t}"
                      aria-controls="panel-${t}"
                      aria-selected=${t === tab}
                      tabindex=${t === tab ? 0 : -1}
                      @click=${() => this.select(t)}
                    >
                      ${label}
                    </button>`,
                )}
              </nav>
              ${
                adapter
                  ? TABS.map(
                      ([t]) =>
                        html`<section role="tabpanel" id="panel-${t}" aria-labelledby="tab-${t}" ?hidden=${t !== tab}>
                          ${t === 'train' ? html`<train-view></train-view>` : t === 'upscale' ? html`<upscale-view></upscale-view>` : html`<profiler-view></profiler-view>`}
                        </section>`,
                    )
                  : ''
              }`
      }
    `;
  }
}

customElements.define('srgan-app', SrganApp);
