/**
 * <checkpoint-files>: upload a checkpoint as files, the same ones `srgan train` writes in a run
 * folder's step folder (generator, discriminator and optimizer .safetensors, state.json, and the
 * generator's weight average when the run keeps one; the saved-runs list downloads them). The full
 * set becomes a saved run that continues; a generator alone is used for upscaling and as the
 * starting weights of the next run.
 */
import { LitElement, html } from 'lit';
import type { TrainerSnapshot, TrainerState } from '../srgan/train/trainer.js';
import { generatorFromSafetensors } from '../srgan/store/checkpoint.js';
import { store } from './state.js';
import { shared } from './styles.js';

export type Uploaded = { kind: 'snapshot'; snapshot: TrainerSnapshot } | { kind: 'generator'; bytes: Uint8Array; name: string };

const AVERAGE_FILE = 'generator-average.safetensors';
const bytesOf = async (f: File) => new Uint8Array(await f.arrayBuffer());

export class CheckpointFiles extends LitElement {
  static override properties = { error: { state: true } };
  static override styles = [shared];
  error = '';

  private async upload(files: File[]): Promise<void> {
    this.error = '';
    const by = (n: string) => files.find((f) => f.name === n || f.name.endsWith(`/${n}`));
    try {
      const g = by('generator.safetensors') ?? files.find((f) => f.name.endsWith('.safetensors') && f.name !== AVERAGE_FILE);
      if (!g)
        throw new Error('choose a generator .safetensors file (and, to resume, discriminator.safetensors, optimizer.safetensors and state.json)');
      const [d, o, st, avg] = [by('discriminator.safetensors'), by('optimizer.safetensors'), by('state.json'), by(AVERAGE_FILE)];
      let up: Uploaded;
      if (d && o && st) {
        const state = JSON.parse(await st.text()) as TrainerState;
        // Without the average file a run that keeps one starts it over from the generator's weights.
        up = {
          kind: 'snapshot',
          snapshot: {
            generator: await bytesOf(g),
            discriminator: await bytesOf(d),
            optimizer: await bytesOf(o),
            state,
            ...(avg ? { generatorAverage: await bytesOf(avg) } : {}),
          },
        };
      } else {
        const bytes = await bytesOf(g);
        generatorFromSafetensors(bytes, g.name).generator.dispose(); // validate now, on the page's device
        up = { kind: 'generator', bytes, name: g.name };
        store.update({ trainedGenerator: { bytes, step: 0, label: g.name } });
      }
      this.dispatchEvent(new CustomEvent<Uploaded>('uploaded', { detail: up, bubbles: true, composed: true }));
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  override render() {
    return html` <div class="row">
        <label class="button"
          >Upload checkpoint files…
          <input
            id="upload-checkpoint"
            class="visually-hidden"
            type="file"
            multiple
            accept=".safetensors,.json"
            @change=${(e: Event) => this.upload([...((e.target as HTMLInputElement).files ?? [])])}
        /></label>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}`;
  }
}

customElements.define('checkpoint-files', CheckpointFiles);
