/**
 * Output folders of `srgan upscale`, made ready before any GPU work: missing ones are created
 * (mkdir -p), and each is proven writable by creating and deleting a file in it. Permission bits
 * alone would not tell (root ignores them; a read-only mount or ACLs overrule them), so the probe
 * asks the file system itself, which is what the final write will do.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './command.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'part of the path is a file',
  EEXIST: 'a file has that name',
  ENOSPC: 'no space left on the device',
};
const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (code || (e as Error).message);
};

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever where a parent exists but
 * refuses children with ENOENT (/proc), and one level at a time names the failing folder's reason.
 */
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw e;
    await makeFolder(dirname(dir));
    await mkdir(dir);
  }
}

/** Create `dir` if missing and check that a file can be written in it; a UsageError naming the folder otherwise. */
export async function prepareOutputFolder(command: string, dir: string): Promise<void> {
  try {
    await makeFolder(resolve(dir));
  } catch (e) {
    throw new UsageError(`${command}: cannot create the output folder ${dir}: ${reason(e)}`);
  }
  const probe = join(dir, `.srgan-write-check-${process.pid}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (e) {
    throw new UsageError(`${command}: cannot write into the output folder ${dir}: ${reason(e)}`);
  } finally {
    await rm(probe, { force: true });
  }
}
