/**
 * <train-view>: train SRGAN in a worker and watch it learn: settings, data, start / pause / resume /
 * stop, progress with steps/s and ETA, the loss chart, the sample grids and the run summary of the
 * run on screen, and the runs saved in this browser. Start always makes a new saved run; Stop
 * keeps the run, which Continue (in the list) takes up again, after a reload too.
 */
import { LitElement, html } from 'lit';
import { bundledHeldout, bundledTraining } from './bundled-data.js';
import { importSnapshot, newRun, refreshRuns, showRun } from './checkpoint-store.js';
import { bundledModelReader, shippedDiscriminatorBytes } from './model-sources.js';
import { getRun, type RunMeta } from '../srgan/store/run-store-browser.js';
import type { DataPicker } from './data-picker.js';
import type { Uploaded } from './checkpoint-files.js';
import { StoreController, isActive, store } from './state.js';
import { shared } from './styles.js';
import { trainClient } from './train-client.js';
import type { ImageInput, StartMessage } from './train-protocol.js';
import type { TrainSettings, TrainSettingsForm } from './train-settings.js';
import { duration } from '../srgan/report/summary.js';
import './checkpoint-files.js';
import './data-picker.js';
import './grid-strip.js';
import './loss-chart.js';
import './metrics-chart.js';
import './runs-list.js';
import './train-settings.js';

/** The run summary's Markdown table as rows of cells (the worker writes the same text the CLI does). */
const tableRows = (md: string) =>
  md
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );

/** The worker's start message for a new run (resume false, with its starting weights) or a saved one (resume true). */
async function startMessage(
  s: TrainSettings,
  runId: string,
  resume: boolean,
  images: ImageInput[],
  kind: RunMeta['data'],
  init: Pick<StartMessage, 'initGenerator' | 'initDiscriminator'> = {},
): Promise<StartMessage> {
  return {
    type: 'start',
    runId,
    resume,
    config: s.config,
    images,
    gridImages: kind === 'bundled' ? bundledHeldout : [],
    ...init,
    gridEvery: s.gridEvery,
    checkpointEvery: s.checkpointEvery,
    profile: s.profile,
    vggWeights: s.vggFile ? new Uint8Array(await s.vggFile.arrayBuffer()) : undefined,
  };
}

export class TrainView extends LitElement {
  static override styles = [shared];
  private store = new StoreController(this);
  private initGenerator?: { bytes: Uint8Array; name: string };
  private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // After a reload the newest saved run is on screen: its chart, grids and generator, without training.
    void refreshRuns()
      .then(async (runs) => {
        if (runs[0] && store.state.train.status === 'idle' && !store.state.train.runId) await showRun(runs[0].id);
      })
      .catch((e: Error) => store.update({ runsError: e.message }));
  }

  private get picker(): DataPicker {
    return this.renderRoot.querySelector('data-picker')!;
  }
  private get form(): TrainSettingsForm {
    return this.renderRoot.querySelector('train-settings')!;
  }

  private dataInputs(data?: RunMeta['data']): { images: ImageInput[]; kind: RunMeta['data'] } {
    const c = this.picker.choice;
    if (data === 'bundled' || (data === undefined && c.kind === 'bundled')) return { images: bundledTraining, kind: 'bundled' };
    if (c.kind === 'bundled' || !c.files.length)
      throw new Error(
        data === undefined
          ? 'choose some images first, or use the bundled ones'
          : `this run trained on ${data} of your own images: choose them again under Data, then press Continue`,
      );
    return { images: c.files.map((f) => ({ name: f.webkitRelativePath || f.name, file: f })), kind: c.files.length };
  }

  private fail(e: unknown): void {
    this.error = (e as Error).message;
    if (!isActive(store.state.train.status)) store.updateTrain({ activity: undefined });
    this.requestUpdate();
  }

  /** While something runs before the next step, the line under the bar counts its seconds: a slow start never looks frozen. */
  private ticker?: ReturnType<typeof setInterval>;
  override updated(): void {
    const busy = !!this.store.state.train.activity;
    if (busy && !this.ticker) this.ticker = setInterval(() => this.requestUpdate(), 1000);
    else if (!busy && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Start: always a new saved run, so no earlier run is ever overwritten. */
  private async startNew(): Promise<void> {
    this.error = '';
    try {
      const s = this.form.settings();
      const { images, kind } = this.dataInputs();
      if (s.startFrom === 'default')
        store.updateTrain({
          activity: "loading the shipped models (the default generator and srgan's discriminator)",
          activitySince: performance.now(),
        });
      // SRGAN's phase 2 from the shipped models, or a generator the user uploaded, or scratch.
      const [initGenerator, initDiscriminator] =
        s.startFrom === 'default'
          ? [
              { bytes: await bundledModelReader.readShipped('default'), name: 'the shipped default generator' },
              { bytes: await shippedDiscriminatorBytes(), name: "the srgan model's discriminator" },
            ]
          : [this.initGenerator, undefined];
      const meta = await newRun(s.config, kind);
      for (const g of store.state.train.grids) URL.revokeObjectURL(g.url);
      store.updateTrain({ logs: [], grids: [], metrics: [], contactSheet: undefined, step: 0, savedStep: undefined });
      trainClient.start(await startMessage(s, meta.id, false, images, kind, { initGenerator, initDiscriminator }), meta.name);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Continue a saved run from its last checkpoint, with its own config (the form's intervals and profiling). */
  private async continueRun(id: string): Promise<void> {
    this.error = '';
    try {
      const meta = await getRun(id);
      if (!meta) throw new Error('this run is no longer saved');
      const s = this.form.settings();
      const { images, kind } = this.dataInputs(meta.data);
      await showRun(id);
      trainClient.start(await startMessage(s, id, true, images, kind), meta.name);
    } catch (e) {
      this.fail(e);
    }
  }

  private async onUploaded(up: Uploaded): Promise<void> {
    if (up.kind === 'generator') {
      this.initGenerator = { bytes: up.bytes, name: up.name };
      store.updateTrain({ message: `${up.name} loaded: the next new run starts from it, and the Upscale view can use it` });
      return;
    }
    try {
      const meta = await importSnapshot(up.snapshot, `uploaded checkpoint, step ${up.snapshot.state.step}`);
      await showRun(meta.id);
      store.updateTrain({ message: `The uploaded checkpoint is the saved run "${meta.name}": Continue it from the list` });
    } catch (e) {
      this.fail(e);
    }
  }

  private renderControls() {
    const t = this.store.state.train;
    const active = isActive(t.status);
    return html` <div class="row" role="group" aria-label="Training controls">
        <button class="primary" id="train-start" ?disabled=${active} @click=${() => this.startNew()} title="Starts a new run; saved runs are kept">
          Start new run
        </button>
        ${
          t.status === 'paused'
            ? html`<button id="train-resume" @click=${() => trainClient.resume()}>Resume</button>`
            : html`<button id="train-pause" ?disabled=${t.status !== 'running'} @click=${() => trainClient.pause()}>Pause</button>`
        }
        <button id="train-stop" ?disabled=${t.status !== 'running' && t.status !== 'paused'} @click=${() => trainClient.stop()}>Stop</button>
        <span id="train-status" class="muted" role="status">${t.status}${t.message && t.status !== 'error' ? ` — ${t.message}` : ''}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert" id="train-error">${this.error}</p>` : ''}
      ${t.status === 'error' ? html`<p class="error" role="alert" id="train-failure">${t.message}</p>` : ''}
      <label style="display:block;margin-top:0.75rem"
        >Progress${t.runName ? html` of <strong id="run-name">${t.runName}</strong>` : ''}
        <progress id="train-progress" max=${Math.max(1, t.total)} .value=${t.step}></progress
      ></label>
      <p id="train-rate" class="muted">
        step ${t.step} /
        ${t.total || '—'}${
          t.activity
            ? html` ·
                <span id="train-activity">${t.activity}… ${Math.floor((performance.now() - (t.activitySince ?? performance.now())) / 1000)} s</span>`
            : ''
        }${t.status === 'running' && t.stepsPerSec ? html` · ${t.stepsPerSec.toFixed(2)} steps/s · ETA ${duration(t.etaSec)}` : ''}${
          t.savedStep !== undefined && t.runId ? html` · checkpoint saved at step <span id="saved-step">${t.savedStep}</span>` : ''
        }
      </p>`;
  }

  override render() {
    const t = this.store.state.train;
    const active = isActive(t.status);
    const of = t.runName ? html` <span class="muted">— ${t.runName}</span>` : '';
    return html` <section class="card">
        <h2>Train</h2>
        <train-settings ?disabled=${active}></train-settings>
        <h3>Data</h3>
        <data-picker></data-picker>
        ${this.renderControls()}
      </section>
      <section class="card" id="saved-runs">
        <h2>Saved runs</h2>
        <p class="muted">
          Every run is saved in this browser (IndexedDB) from its first step, with a checkpoint every few steps. The files are the ones
          <code>srgan train</code> writes.
        </p>
        <runs-list @continue-run=${(e: CustomEvent<string>) => this.continueRun(e.detail)}></runs-list>
        <checkpoint-files @uploaded=${(e: CustomEvent<Uploaded>) => this.onUploaded(e.detail)}></checkpoint-files>
      </section>
      <section class="card">
        <h2>Losses${of}</h2>
        <loss-chart .logs=${t.logs}></loss-chart>
      </section>
      <section class="card">
        <h2>Held-out metrics${of}</h2>
        <metrics-chart .rows=${t.metrics}></metrics-chart>
      </section>
      <section class="card">
        <h2>Samples: whole held-out images at 1:1${of}</h2>
        <grid-strip .grids=${t.grids} .contactSheet=${t.contactSheet}></grid-strip>
      </section>
      ${
        t.summary
          ? html`<section class="card" id="run-summary">
              <h2>Run summary${of}</h2>
              <div class="scroll-x">
                <table>
                  ${tableRows(t.summary).map(
                    (r) =>
                      html`<tr>
                        ${r.map((c) => html`<td>${c}</td>`)}
                      </tr>`,
                  )}
                </table>
              </div>
            </section>`
          : ''
      }`;
  }
}

customElements.define('train-view', TrainView);
