/**
 * Node-only file helpers (kept apart so browser bundles never see `node:fs`).
 *
 * Writes are atomic: the bytes go to a temporary file in the target's directory (same file system,
 * so the final rename cannot turn into a copy), are fsynced, and only then renamed over the
 * target. A crash or error at any point leaves either the old file or the new one, never a torn mix.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpointable,
  type DecodedSafetensors,
  type HostTensor,
} from './safetensors.js';

export type Chunks = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Write `data` (bytes, or chunks produced while writing) to `path` atomically. */
export async function writeFileAtomic(path: string, data: Chunks): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx' fails rather than follow a stale file or link that happens to have this name.
  const fh = await open(tmp, 'wx');
  let renamed = false;
  try {
    const chunks = data instanceof Uint8Array ? [data] : data;
    for await (const chunk of chunks) {
      // A short write is possible in principle: loop until the chunk is down.
      for (let off = 0; off < chunk.length;) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    await fh.sync(); // data on disk before the rename makes it visible
    await fh.close();
    await rename(tmp, path);
    renamed = true;
    await syncDir(dir); // make the rename itself durable
  } finally {
    if (!renamed) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
}

/** fsync a directory so a rename survives power loss; some platforms cannot, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* Windows cannot open directories; the rename is still atomic there. */
  }
}

export async function writeSafetensorsFile(path: string, tensors: readonly HostTensor[], metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export async function readSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  return decodeSafetensors(await readFile(path));
}

/** Save a module's state dict to `path` atomically. */
export async function saveCheckpointFile(path: string, model: Checkpointable, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, await saveCheckpoint(model, metadata));
}

/** Load `path` into a module (strict by default); returns the file's metadata. */
export async function loadCheckpointFile(path: string, model: Checkpointable, opts: { strict?: boolean } = {}): Promise<Record<string, string>> {
  return loadCheckpoint(model, await readFile(path), opts);
}
