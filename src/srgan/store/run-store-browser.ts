/**
 * Training runs kept in IndexedDB (the app's worker writes them, the page lists them): several runs,
 * each a set of named files (run-store.ts) plus a record the app's list shows (name, preset, step,
 * dates, size). Database `srgan-webgpu`, version 2:
 *   runs   RunMeta by run id
 *   files  file bytes by [run id, file name]
 * A commit is one transaction over both stores: the new files, the removal of old ones and the
 * run's record change together or not at all, so a refused write (the storage quota) leaves the
 * previous checkpoint as it was. Version 1 kept one run under the key 'latest'; the upgrade turns it
 * into a run of the new kind, so it is not lost.
 */
import type { StepLog, TrainerSnapshot } from '../train/trainer.js';
import { checkpointFiles, logCsv, type CheckpointInfo, type RunStore } from './run-store.js';
import type { GridImage } from '../report/sample-grid.js';
import { ConfigError } from '../errors.js';

export interface RunMeta {
  id: string;
  name: string;
  preset: string;
  /** Step of the last checkpoint (0 before the first one). */
  step: number;
  total: number;
  createdAt: number;
  savedAt: number;
  /** 'bundled' or the number of the user's own images (which must be chosen again to continue). */
  data: 'bundled' | number;
  /** Bytes of each file, by name (the run's size and its file list, without reading the files). */
  files: Record<string, number>;
}

export const runSize = (m: RunMeta) => Object.values(m.files).reduce((a, b) => a + b, 0);

const DB = 'srgan-webgpu';
const RUNS = 'runs',
  FILES = 'files';

/** Which IndexedDB to use: the global one, or another (tests in Node use fake-indexeddb's). */
export interface RunsDbOptions {
  factory?: IDBFactory;
  keyRange?: typeof IDBKeyRange;
}

const range = (o: RunsDbOptions) => o.keyRange ?? IDBKeyRange;

function open(o: RunsDbOptions): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = (o.factory ?? indexedDB).open(DB, 2);
    req.onupgradeneeded = (e) => {
      const db = req.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS);
      if (!db.objectStoreNames.contains(FILES)) db.createObjectStore(FILES);
      if (e.oldVersion === 1) migrateLatest(req.transaction!);
    };
    req.onsuccess = () => {
      // Another page or the worker upgrading the database: let it.
      req.result.onversionchange = () => req.result.close();
      resolve(req.result);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('the runs database is open in an older version of this app in another tab: close it'));
  });
}

/** Version 1's single saved run ('latest': snapshot, logs, total, data, savedAt) → a run of version 2. */
function migrateLatest(tx: IDBTransaction): void {
  const runs = tx.objectStore(RUNS),
    files = tx.objectStore(FILES);
  const get = runs.get('latest');
  get.onsuccess = () => {
    const old = get.result as { snapshot: TrainerSnapshot; logs: StepLog[]; total: number; data: 'bundled' | number; savedAt: number } | undefined;
    runs.delete('latest');
    if (!old?.snapshot) return;
    const id = `run-${old.savedAt}`;
    const all = [...checkpointFiles(old.snapshot), ['loss.csv', new TextEncoder().encode(logCsv(old.logs))] as [string, Uint8Array]];
    for (const [name, bytes] of all) files.put(bytes, [id, name]);
    const meta: RunMeta = {
      id,
      name: `${old.snapshot.state.config.preset} run (saved ${new Date(old.savedAt).toISOString().slice(0, 10)})`,
      preset: old.snapshot.state.config.preset,
      step: old.snapshot.state.step,
      total: old.total,
      createdAt: old.savedAt,
      savedAt: old.savedAt,
      data: old.data,
      files: Object.fromEntries(all.map(([n, b]) => [n, b.byteLength])),
    };
    runs.put(meta, id);
  };
}

/** One transaction: `fn` queues its requests; resolves with `fn`'s result once everything is on disk. */
async function transact<T>(
  o: RunsDbOptions,
  mode: IDBTransactionMode,
  fn: (runs: IDBObjectStore, files: IDBObjectStore, tx: IDBTransaction) => T | (() => T),
): Promise<T> {
  const db = await open(o);
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction([RUNS, FILES], mode);
      let out: T | (() => T);
      tx.oncomplete = () => resolve(typeof out === 'function' ? (out as () => T)() : out);
      tx.onabort = () => reject(storageError(tx.error));
      try {
        out = fn(tx.objectStore(RUNS), tx.objectStore(FILES), tx);
      } catch (e) {
        tx.abort();
        reject(e);
      }
    });
  } finally {
    db.close();
  }
}

/** A refused write says why in words a person can act on. */
function storageError(e: DOMException | null): Error {
  if (e?.name === 'QuotaExceededError')
    return new Error("the browser's storage quota for this site is full; delete saved runs you no longer need (download them first to keep them)");
  return new Error(`IndexedDB: ${e?.message || e?.name || 'transaction aborted'}`);
}

/** A request's result, read once the transaction completes. */
function later<T>(req: IDBRequest): () => T {
  return () => req.result as T;
}

export async function listRuns(o: RunsDbOptions = {}): Promise<RunMeta[]> {
  const all = await transact(o, 'readonly', (runs) => later<RunMeta[]>(runs.getAll()));
  return all.filter((m) => m && typeof m === 'object' && 'id' in m).sort((a, b) => b.savedAt - a.savedAt);
}

export async function getRun(id: string, o: RunsDbOptions = {}): Promise<RunMeta | undefined> {
  return transact(o, 'readonly', (runs) => later<RunMeta | undefined>(runs.get(id)));
}

/** A new, empty run (its files come with its first checkpoint). */
export async function createRun(init: Pick<RunMeta, 'name' | 'preset' | 'total' | 'data'>, o: RunsDbOptions = {}): Promise<RunMeta> {
  const now = Date.now();
  const id = `run-${now}-${Math.random().toString(36).slice(2, 8)}`;
  const meta: RunMeta = { ...init, id, step: 0, createdAt: now, savedAt: now, files: {} };
  await transact(o, 'readwrite', (runs) => {
    runs.add(meta, id);
  });
  return meta;
}

export async function renameRun(id: string, name: string, o: RunsDbOptions = {}): Promise<void> {
  if (!name.trim()) throw new ConfigError('a run needs a name');
  await transact(o, 'readwrite', (runs) => {
    const get = runs.get(id);
    get.onsuccess = () => {
      if (get.result) runs.put({ ...(get.result as RunMeta), name: name.trim() }, id);
    };
  });
}

/** The run's record and all its files, in one transaction. */
export async function deleteRun(id: string, o: RunsDbOptions = {}): Promise<void> {
  await transact(o, 'readwrite', (runs, files) => {
    runs.delete(id);
    files.delete(range(o).bound([id, ''], [id, '\uffff']));
  });
}

export class BrowserRunStore implements RunStore {
  constructor(
    readonly id: string,
    private readonly o: RunsDbOptions & { label?: string; encodePng?: (img: GridImage) => Promise<Uint8Array> } = {},
  ) {}

  get label(): string {
    return this.o.label ?? `run ${this.id}`;
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    return transact(this.o, 'readonly', (_, files) => later<Uint8Array | undefined>(files.get([this.id, name])));
  }

  async list(prefix: string): Promise<string[]> {
    const meta = await getRun(this.id, this.o);
    return Object.keys(meta?.files ?? {})
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  async commit(put: readonly (readonly [string, Uint8Array])[], remove: readonly string[] = [], info?: CheckpointInfo): Promise<void> {
    let deleted = false;
    await transact(this.o, 'readwrite', (runs, files, tx) => {
      const get = runs.get(this.id);
      get.onsuccess = () => {
        const meta = get.result as RunMeta | undefined;
        if (!meta) {
          deleted = true;
          tx.abort(); // the run was deleted under the writer: write nothing
          return;
        }
        const sizes = { ...meta.files };
        for (const [name, bytes] of put) {
          files.put(bytes, [this.id, name]);
          sizes[name] = bytes.byteLength;
        }
        for (const name of remove) {
          files.delete([this.id, name]);
          delete sizes[name];
        }
        runs.put(
          { ...meta, files: sizes, ...(info ? { step: info.step, total: info.total, preset: info.preset, savedAt: Date.now() } : {}) },
          this.id,
        );
      };
    }).catch((e: Error) => {
      throw deleted ? new Error(`${this.label} was deleted: nothing more is saved`) : e;
    });
  }

  async encodePng(img: GridImage): Promise<Uint8Array> {
    if (this.o.encodePng) return this.o.encodePng(img);
    const rgba = new Uint8ClampedArray(img.width * img.height * 4);
    for (let i = 0; i < img.width * img.height; i++) rgba.set([img.data[3 * i], img.data[3 * i + 1], img.data[3 * i + 2], 255], 4 * i);
    const canvas = new OffscreenCanvas(img.width, img.height);
    canvas.getContext('2d')!.putImageData(new ImageData(rgba, img.width, img.height), 0, 0);
    return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
  }
}
