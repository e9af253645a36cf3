/**
 * A run kept in a folder (Node): each file of the run (run-store.ts) is a file under `dir`, written
 * atomically (temp file + rename), so a crash mid-checkpoint leaves the previous latest.json
 * pointing at a complete step folder. The layout is the one `srgan train` has always written, so
 * older run folders resume.
 */
import { mkdir, readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../engine/node.js';
import type { GridImage } from '../report/sample-grid.js';
import type { RunStore } from './run-store.js';

export class NodeRunStore implements RunStore {
  constructor(readonly dir: string) {}

  get label(): string {
    return this.dir;
  }

  private path(name: string): string {
    if (name.split('/').some((p) => p === '..' || p === '')) throw new Error(`run file name "${name}" is not a plain relative path`);
    return join(this.dir, ...name.split('/'));
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    return readFile(this.path(name)).then(
      (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      },
    );
  }

  async list(prefix: string): Promise<string[]> {
    const all = await readdir(this.dir, { recursive: true, withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    return all
      .filter((d) => d.isFile() && !d.name.includes('.tmp'))
      .map((d) =>
        relative(this.dir, join(d.parentPath ?? d.path, d.name))
          .split(sep)
          .join('/'),
      )
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  async commit(files: readonly (readonly [string, Uint8Array])[], remove: readonly string[] = []): Promise<void> {
    for (const [name, bytes] of files) {
      const p = this.path(name);
      await mkdir(dirname(p), { recursive: true });
      await writeFileAtomic(p, bytes);
    }
    const dirs = new Set<string>();
    for (const name of remove) {
      await rm(this.path(name), { force: true });
      dirs.add(dirname(this.path(name)));
    }
    // A step folder emptied by the removal goes too (a non-empty one stays: rmdir refuses it).
    for (const d of dirs) if (d !== this.dir) await rmdir(d).catch(() => {});
  }

  encodePng(img: GridImage): Promise<Uint8Array> {
    return encodeGridPng(img);
  }

  async decodePng(png: Uint8Array): Promise<GridImage> {
    const { data, info } = await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
  }

  rasterizeSvg(svg: string): Promise<Uint8Array> {
    return sharp(Buffer.from(svg)).png().toBuffer();
  }
}

/** 8-bit RGB figure pixels (grids, contact sheets) as PNG bytes, in Node. */
export async function encodeGridPng(img: GridImage): Promise<Uint8Array> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .png()
    .toBuffer();
}
