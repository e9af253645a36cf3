/**
 * The last training checkpoint, kept in IndexedDB so that a reload (or a crash) can resume where
 * training left off. One record: the trainer snapshot, its loss log and where its data came from.
 */
import type { StepLog, TrainerSnapshot } from '../srgan/train/trainer.js';

export interface SavedRun {
  snapshot: TrainerSnapshot;
  logs: StepLog[];
  total: number;
  /** 'bundled' or the number of user images (which must be given again to resume on them). */
  data: 'bundled' | number;
  savedAt: number;
}

const DB = 'srgan-webgpu';
const STORE = 'runs';
const KEY = 'latest';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export const saveRun = (r: SavedRun) => run<void>('readwrite', (s) => s.put(r, KEY));
export const loadRun = () => run<SavedRun | undefined>('readonly', (s) => s.get(KEY));
export const clearRun = () => run<void>('readwrite', (s) => s.delete(KEY));
