/**
 * <runs-list>: the training runs saved in this browser, newest first: name, preset, step, date and
 * size, with Show (its chart and grids), Continue, Use in Upscale, the downloads, Rename and
 * Delete. All of them work from what IndexedDB holds, so they work right after a reload. Continue
 * is the Train view's business (it needs the data and settings): it is asked with a
 * `continue-run` event.
 */
import { LitElement, css, html } from 'lit';
import { runSize, type RunMeta } from '../srgan/store/run-store-browser.js';
import { deleteSavedRun, downloadCheckpoint, downloadGenerator, renameSavedRun, showRun, useInUpscale } from './checkpoint-store.js';
import { StoreController, isActive } from './state.js';
import { shared } from './styles.js';

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

export class RunsList extends LitElement {
  static override styles = [
    shared,
    css`
      td,
      th {
        vertical-align: middle;
      }
      td.nowrap {
        white-space: nowrap;
      }
      tr[aria-current='true'] td {
        background: #eef3fd;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        justify-content: flex-end;
      }
      .actions button {
        padding: 0.2rem 0.5rem;
        font-size: 0.85rem;
      }
      button.link {
        border: none;
        background: none;
        padding: 0;
        color: #0b57d0;
        text-decoration: underline;
        text-align: left;
      }
    `,
  ];
  private store = new StoreController(this);

  private rename(r: RunMeta): void {
    const name = prompt('New name for this run', r.name);
    if (name !== null && name.trim() && name.trim() !== r.name) void renameSavedRun(r.id, name);
  }

  private askDelete(r: RunMeta): void {
    if (
      confirm(
        `Delete the run "${r.name}" (step ${r.step}, ${formatBytes(runSize(r))})? Its checkpoints, grids and log are removed from this browser.`,
      )
    )
      void deleteSavedRun(r.id);
  }

  private continueRun(r: RunMeta): void {
    this.dispatchEvent(new CustomEvent<string>('continue-run', { detail: r.id, bubbles: true, composed: true }));
  }

  override render() {
    const { runs, runsError, train } = this.store.state;
    const busy = isActive(train.status);
    const error = runsError ? html`<p class="error" role="alert" id="runs-error">${runsError}</p>` : '';
    if (!runs.length)
      return html`${error}
        <p class="muted" id="runs-empty">No saved runs yet: a run is saved here from its first step.</p>`;
    return html`${error}
      <div class="scroll-x">
        <table id="runs-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Preset</th>
              <th>Step</th>
              <th>Saved</th>
              <th>Size</th>
              <th><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${runs.map((r) => {
              const current = r.id === train.runId,
                training = current && busy,
                finished = r.step >= r.total && r.total > 0;
              return html`<tr data-run=${r.id} aria-current=${current}>
                <td>
                  <button
                    class="link"
                    data-action="show"
                    ?disabled=${busy}
                    title="Show its losses, grids and summary"
                    @click=${() => void showRun(r.id)}
                  >
                    ${r.name}</button
                  >${training ? html` <span class="muted">(training)</span>` : ''}
                </td>
                <td>${r.preset}</td>
                <td class="nowrap">${r.step} / ${r.total}</td>
                <td class="nowrap">${new Date(r.savedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</td>
                <td class="nowrap">${formatBytes(runSize(r))}</td>
                <td>
                  <div class="actions">
                    <button
                      data-action="continue"
                      ?disabled=${busy || finished || !r.files['checkpoints/latest.json']}
                      title=${finished ? 'This run has reached its last step' : 'Continue training from its last checkpoint'}
                      @click=${() => this.continueRun(r)}
                    >
                      Continue
                    </button>
                    <button data-action="upscale" ?disabled=${!r.files['generator.safetensors']} @click=${() => void useInUpscale(r.id)}>
                      Use in Upscale
                    </button>
                    <button
                      data-action="download-generator"
                      ?disabled=${!r.files['generator.safetensors']}
                      title="The generator alone, for upscaling anywhere"
                      @click=${() => void downloadGenerator(r.id)}
                    >
                      Download generator
                    </button>
                    <button
                      data-action="download-checkpoint"
                      ?disabled=${!r.files['checkpoints/latest.json']}
                      title="All the files a resume needs (as srgan train writes them)"
                      @click=${() => void downloadCheckpoint(r.id)}
                    >
                      Download checkpoint
                    </button>
                    <button data-action="rename" @click=${() => this.rename(r)}>Rename</button>
                    <button data-action="delete" ?disabled=${training} @click=${() => this.askDelete(r)}>Delete</button>
                  </div>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>`;
  }
}

customElements.define('runs-list', RunsList);
