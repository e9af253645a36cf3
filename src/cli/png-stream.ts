/**
 * A PNG written row by row, so an image larger than memory can be encoded as its rows are made:
 * the rows are filtered (Paeth, what libpng picks most often for photos), deflated by node:zlib as a
 * stream, and each compressed chunk goes to the file as an IDAT chunk. Only one row and zlib's window
 * are held. Grey, grey + alpha, RGB and RGBA, 8 or 16 bits per sample (16 is big-endian, as PNG wants).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { crc32, createDeflate, type Deflate } from 'node:zlib';

export interface PngLayout {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  /** zlib level: 6 (libpng's default) for a file to keep, 1 for one that is read once and deleted. */
  level?: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c,
    pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

export class PngRowWriter {
  private readonly file: WriteStream;
  private readonly deflate: Deflate;
  private readonly rowBytes: number;
  private readonly bpp: number;
  private prev: Uint8Array;
  private cur: Uint8Array;
  private rows = 0;
  private failure: Error | undefined;

  constructor(
    path: string,
    readonly layout: PngLayout,
  ) {
    const { width, height, channels, bitDepth } = layout;
    this.bpp = channels * (bitDepth / 8);
    this.rowBytes = width * this.bpp;
    this.prev = new Uint8Array(this.rowBytes); // PNG's row above the first is zeros
    this.cur = new Uint8Array(this.rowBytes);
    this.file = createWriteStream(path);
    this.file.on('error', (e) => {
      this.failure ??= e;
    });
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([bitDepth, COLOUR_TYPE[channels], 0, 0, 0], 8);
    this.file.write(Buffer.concat([SIGNATURE, chunk('IHDR', ihdr)]));
    this.deflate = createDeflate({ level: layout.level ?? 6, chunkSize: 1 << 16 });
    this.deflate.on('data', (d: Buffer) => this.file.write(chunk('IDAT', d)));
    this.deflate.on('error', (e) => {
      this.failure ??= e;
    });
  }

  /**
   * Append rows of interleaved samples in [0, 1] (`rows` × width × channels). Resolves when zlib
   * and the file have room for more, so a fast producer waits instead of filling memory.
   */
  async writeRows(samples: Float32Array, rows: number): Promise<void> {
    const { width, channels, bitDepth } = this.layout,
      n = width * channels,
      max = bitDepth === 16 ? 65535 : 255;
    if (this.rows + rows > this.layout.height) throw new Error(`PNG: ${this.rows + rows} rows written to an image of ${this.layout.height}`);
    for (let r = 0; r < rows; r++) {
      const cur = this.cur,
        prev = this.prev,
        src = samples.subarray(r * n, (r + 1) * n);
      for (let i = 0; i < n; i++) {
        const v = Math.round(Math.min(Math.max(src[i], 0), 1) * max);
        if (bitDepth === 16) {
          cur[2 * i] = v >> 8;
          cur[2 * i + 1] = v & 255;
        } else cur[i] = v;
      }
      const line = new Uint8Array(1 + this.rowBytes);
      line[0] = 4; // Paeth
      for (let i = 0; i < this.rowBytes; i++) {
        const a = i >= this.bpp ? cur[i - this.bpp] : 0,
          c = i >= this.bpp ? prev[i - this.bpp] : 0;
        line[1 + i] = (cur[i] - paeth(a, prev[i], c)) & 255;
      }
      this.prev = cur;
      this.cur = prev;
      if (!this.deflate.write(line)) await once(this.deflate, 'drain');
    }
    this.rows += rows;
    if (this.file.writableNeedDrain) await once(this.file, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Flush zlib, end the file with IEND and close it; every row must have been written. */
  async close(): Promise<void> {
    if (this.rows !== this.layout.height) throw new Error(`PNG: ${this.rows} of ${this.layout.height} rows written`);
    this.deflate.end();
    await once(this.deflate, 'end');
    this.file.end(chunk('IEND', new Uint8Array(0)));
    await once(this.file, 'close');
    if (this.failure) throw this.failure;
  }

  /** Stop without finishing (the caller deletes the file). */
  async abort(): Promise<void> {
    this.deflate.destroy();
    this.file.destroy();
    if (!this.file.closed) await once(this.file, 'close').catch(() => undefined);
  }
}
