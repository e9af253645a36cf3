/**
 * <train-view>: train SRGAN in a worker and watch it learn: settings, data, start / pause / resume /
 * stop, progress with steps/s and ETA, the loss chart, the sample grids, the run summary, and the
 * checkpoint (kept in IndexedDB; a reload offers to resume from it).
 */
import { LitElement, html } from 'lit';
import type { TrainerSnapshot } from '../srgan/train/trainer.js';
import { bundledHeldout, bundledTraining } from './bundled-data.js';
import { clearRun, loadRun, type SavedRun } from './checkpoint-store.js';
import type { DataPicker } from './data-picker.js';
import type { Uploaded } from './checkpoint-files.js';
import { StoreController, store } from './state.js';
import { shared } from './styles.js';
import { trainClient } from './train-client.js';
import type { ImageInput, StartMessage } from './train-protocol.js';
import type { TrainSettingsForm } from './train-settings.js';
import { duration } from '../srgan/train/summary.js';
import './checkpoint-files.js';
import './data-picker.js';
import './grid-strip.js';
import './loss-chart.js';
import './train-settings.js';

/** The run summary's Markdown table as rows of cells (the worker writes the same text the CLI does). */
const tableRows = (md: string) => md.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
  .map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));

export class TrainView extends LitElement {
  static override styles = [shared];
  private store = new StoreController(this);
  private saved?: SavedRun;
  private initGenerator?: Uint8Array;
  private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void loadRun().then((r) => {
      if (!r || store.state.train.status !== 'idle') return;
      this.saved = r;
      store.updateTrain({ resume: { step: r.snapshot.state.step, total: r.total, preset: r.snapshot.state.config.preset, savedAt: r.savedAt } });
    }).catch(() => { /* no IndexedDB (private mode): nothing to offer */ });
  }

  private get picker(): DataPicker { return this.renderRoot.querySelector('data-picker')!; }
  private get form(): TrainSettingsForm { return this.renderRoot.querySelector('train-settings')!; }

  private dataInputs(): { images: ImageInput[]; kind: SavedRun['data'] } {
    const c = this.picker.choice;
    if (c.kind === 'bundled') return { images: bundledTraining, kind: 'bundled' };
    if (!c.files.length) throw new Error('choose some images first, or use the bundled ones');
    return { images: c.files.map((f) => ({ name: f.webkitRelativePath || f.name, file: f })), kind: c.files.length };
  }

  private async start(resume?: TrainerSnapshot, logs = resume ? this.saved?.logs ?? [] : []): Promise<void> {
    this.error = '';
    try {
      const s = this.form.settings();
      const config = resume ? resume.state.config : s.config;
      const { images, kind } = this.dataInputs();
      const msg: StartMessage = {
        type: 'start', config, images, gridImages: kind === 'bundled' ? bundledHeldout : [], resume,
        initGenerator: resume ? undefined : this.initGenerator, gridEvery: s.gridEvery, checkpointEvery: s.checkpointEvery, profile: s.profile,
        vggWeights: config.content === 'vgg' && s.vggFile ? new Uint8Array(await s.vggFile.arrayBuffer()) : undefined,
      };
      if (config.content === 'vgg' && !msg.vggWeights) throw new Error('the VGG content loss needs a VGG19 weights file');
      for (const g of store.state.train.grids) URL.revokeObjectURL(g.url);
      store.updateTrain({ grids: [], skipped: [], total: config.phase1Steps + config.phase2Steps });
      trainClient.start(msg, kind, logs);
    } catch (e) {
      this.error = (e as Error).message;
      this.requestUpdate();
    }
  }

  private async discard(): Promise<void> {
    await clearRun();
    this.saved = undefined;
    store.updateTrain({ resume: undefined });
  }

  private onUploaded(up: Uploaded): void {
    if (up.kind === 'generator') {
      this.initGenerator = up.bytes;
      store.updateTrain({ message: `${up.name} loaded: the next run starts from it, and the Upscale view can use it` });
    } else {
      this.saved = { snapshot: up.snapshot, logs: [], total: up.snapshot.state.config.phase1Steps + up.snapshot.state.config.phase2Steps, data: 'bundled', savedAt: Date.now() };
      store.updateTrain({ resume: { step: up.snapshot.state.step, total: this.saved.total, preset: up.snapshot.state.config.preset, savedAt: this.saved.savedAt } });
    }
  }

  private renderControls() {
    const t = this.store.state.train;
    const active = t.status === 'starting' || t.status === 'running' || t.status === 'paused' || t.status === 'stopping';
    return html`
      <div class="row" role="group" aria-label="Training controls">
        <button class="primary" id="train-start" ?disabled=${active} @click=${() => this.start()}>Start training</button>
        ${t.status === 'paused'
          ? html`<button id="train-resume" @click=${() => trainClient.resume()}>Resume</button>`
          : html`<button id="train-pause" ?disabled=${t.status !== 'running'} @click=${() => trainClient.pause()}>Pause</button>`}
        <button id="train-stop" ?disabled=${t.status !== 'running' && t.status !== 'paused'} @click=${() => trainClient.stop()}>Stop</button>
        <span id="train-status" class="muted" role="status">${t.status}${t.message ? ` — ${t.message}` : ''}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert" id="train-error">${this.error}</p>` : ''}
      <label style="display:block;margin-top:0.75rem">Progress
        <progress id="train-progress" max=${Math.max(1, t.total)} .value=${t.step}></progress></label>
      <p id="train-rate" class="muted">step ${t.step} / ${t.total || '—'}${t.stepsPerSec ? html` · ${t.stepsPerSec.toFixed(2)} steps/s · ETA ${duration(t.etaSec)}` : ''}${
        t.savedStep ? html` · checkpoint saved at step <span id="saved-step">${t.savedStep}</span>` : ''}</p>`;
  }

  override render() {
    const t = this.store.state.train;
    const active = t.status === 'starting' || t.status === 'running' || t.status === 'paused' || t.status === 'stopping';
    return html`
      ${t.resume ? html`<section class="card note" id="resume-offer" role="region" aria-label="Saved run">
        <p>A saved <strong>${t.resume.preset}</strong> run stopped at step <strong id="resume-step">${t.resume.step}</strong> of ${t.resume.total}
          (saved ${new Date(t.resume.savedAt).toLocaleString()}).
          ${this.saved?.data !== 'bundled' ? 'It trained on your own images: choose them again below before resuming.' : ''}</p>
        <div class="row"><button class="primary" id="resume-run" @click=${() => this.start(this.saved!.snapshot)}>Resume from step ${t.resume.step}</button>
          <button id="discard-run" @click=${() => this.discard()}>Discard it</button></div>
      </section>` : ''}
      <section class="card"><h2>Train</h2>
        <train-settings ?disabled=${active}></train-settings>
        <h3>Data</h3><data-picker></data-picker>
        ${this.renderControls()}
      </section>
      <section class="card"><h2>Losses</h2><loss-chart .logs=${t.logs}></loss-chart></section>
      <section class="card"><h2>Samples: LR | bicubic | SR | HR</h2><grid-strip .grids=${t.grids}></grid-strip></section>
      ${t.summary ? html`<section class="card" id="run-summary"><h2>Run summary</h2>
        <table>${tableRows(t.summary).map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</table></section>` : ''}
      <section class="card"><h2>Checkpoint</h2>
        <p class="muted">Saved automatically in this browser (IndexedDB) every few steps; the files are the ones <code>srgan train</code> writes.</p>
        <checkpoint-files .snapshot=${trainClient.latest} @uploaded=${(e: CustomEvent<Uploaded>) => this.onUploaded(e.detail)}></checkpoint-files>
      </section>`;
  }
}

customElements.define('train-view', TrainView);
