/**
 * <engine-demo>: the browser face of the engine until the SRGAN app lands. Shows the adapter,
 * trains the XOR MLP on this page's GPU, and shows the per-kernel profile of that training.
 */
import { LitElement, css, html } from 'lit';
import { engine, formatProfile, initEngine, type ProfileRow } from '../engine/index.js';
import { trainXor, type XorResult } from '../demo/xor.js';

export class EngineDemo extends LitElement {
  static override properties = {
    adapter: { state: true }, log: { state: true }, result: { state: true }, profile: { state: true },
    error: { state: true }, running: { state: true },
  };

  adapter = '';
  log: string[] = [];
  result?: XorResult;
  profile: ProfileRow[] = [];
  error = '';
  running = false;

  static override styles = css`
    :host { display: block; font: 14px system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; }
    pre { background: #f4f4f4; padding: 0.75rem; overflow-x: auto; }
    .error { color: #b00020; }
  `;

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      const a = (await initEngine()).adapter;
      this.adapter = `${a.vendor || 'unknown vendor'} ${a.architecture} ${a.description} (${a.isSoftware ? 'software' : 'hardware'})`;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async train(): Promise<void> {
    this.running = true;
    this.log = [];
    const eng = engine();
    const profiling = eng.profiler.supported;
    if (profiling) { eng.profiler.reset(); eng.profiler.enable(); }
    try {
      this.result = await trainXor({ onProgress: (step, mse) => { this.log = [...this.log, `step ${step}: mse ${mse.toFixed(5)}`]; } });
      if (profiling) { await eng.sync(); this.profile = await eng.profiler.report(); }
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      if (profiling) eng.profiler.enable(false);
      this.running = false;
    }
  }

  override render() {
    return html`
      <h1>srgan-webgpu engine</h1>
      ${this.error ? html`<p class="error" id="error">${this.error}</p>` : html`<p>Adapter: <span id="adapter">${this.adapter || '…'}</span></p>`}
      <button id="train" ?disabled=${!this.adapter || this.running} @click=${() => this.train()}>Train XOR (300 Adam steps)</button>
      <pre id="log">${this.log.join('\n')}</pre>
      ${this.result ? html`<p id="result">predictions ${this.result.predictions.map((v) => v.toFixed(3)).join(' ')} in
        ${this.result.ms.toFixed(0)} ms — ${this.result.learned ? 'learned' : 'not learned'}</p>` : ''}
      ${this.profile.length ? html`<h2>Per-kernel GPU time</h2><pre id="profile">${formatProfile(this.profile)}</pre>` : ''}
    `;
  }
}

customElements.define('engine-demo', EngineDemo);
