/**
 * <image-drop>: a drop zone that also opens the file picker (click, Enter or Space), and, with
 * `folder`, a folder picker. Dropped folders are walked. Emits `files` with every File found;
 * decoding (and reporting what cannot be read) is the listener's job.
 */
import { LitElement, css, html } from 'lit';
import { shared } from './styles.js';

async function filesOf(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) return [await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej))];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const all: File[] = [];
  // readEntries returns at most ~100 entries a call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (!batch.length) return all;
    for (const e of batch) all.push(...(await filesOf(e)));
  }
}

export class ImageDrop extends LitElement {
  static override properties = { label: {}, accept: {}, multiple: { type: Boolean }, folder: { type: Boolean }, over: { state: true } };
  static override styles = [
    shared,
    css`
      .zone {
        border: 2px dashed #8a8f98;
        border-radius: 10px;
        padding: 1rem;
        text-align: center;
        cursor: pointer;
      }
      .zone.over {
        border-color: #0b57d0;
        background: #eef3fd;
      }
    `,
  ];
  label = 'Drop images here or choose files';
  accept = 'image/*';
  multiple = false;
  folder = false;
  over = false;

  private emit(files: File[]): void {
    if (files.length) this.dispatchEvent(new CustomEvent<File[]>('files', { detail: files, bubbles: true, composed: true }));
  }

  private async onDrop(e: DragEvent): Promise<void> {
    e.preventDefault();
    this.over = false;
    const items = [...(e.dataTransfer?.items ?? [])];
    const entries = items.map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => !!x);
    const files = entries.length ? (await Promise.all(entries.map(filesOf))).flat() : [...(e.dataTransfer?.files ?? [])];
    this.emit(files);
  }

  private pick(id: string): void {
    this.renderRoot.querySelector<HTMLInputElement>(id)?.click();
  }

  override render() {
    const onPicked = (e: Event) => {
      const input = e.target as HTMLInputElement;
      this.emit([...(input.files ?? [])]);
      input.value = '';
    };
    return html`
      <div
        class="zone ${this.over ? 'over' : ''}"
        role="button"
        tabindex="0"
        aria-label=${this.label}
        @click=${() => this.pick('#files')}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            this.pick('#files');
          }
        }}
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.over = true;
        }}
        @dragleave=${() => {
          this.over = false;
        }}
        @drop=${(e: DragEvent) => this.onDrop(e)}
      >
        ${this.label}
      </div>
      <input id="files" class="visually-hidden" type="file" accept=${this.accept} ?multiple=${this.multiple} tabindex="-1" @change=${onPicked} />
      ${
        this.folder
          ? html`<p><button type="button" @click=${() => this.pick('#folder')}>Choose a folder…</button></p>
              <input id="folder" class="visually-hidden" type="file" webkitdirectory tabindex="-1" @change=${onPicked} />`
          : ''
      }
    `;
  }
}

customElements.define('image-drop', ImageDrop);
