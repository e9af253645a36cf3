import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  decodeSafetensorsBlob,
  encodeSafetensors,
  safetensorsBlob,
  safetensorsToTensors,
  SafetensorsError,
  tensorsToSafetensors,
  type HostTensor,
  Tensor,
} from '../../src/engine/index.js';
import { halfToF32Bits } from '../../src/engine/testing.js';
import { readSafetensorsFile, writeFileAtomic, writeSafetensorsFile } from '../../src/engine/node.js';
import { useEngine } from '../helpers/gpu.js';

/** Float32 values from raw bit patterns (the only way to pin NaN payloads). */
const fromBits = (bits: number[]) => new Float32Array(new Uint32Array(bits).buffer);
const bitsOf = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

/** Values a careless encoder would change: NaN payloads (quiet, signalling, negative), ±0, ±inf, subnormals. */
const awkward = fromBits([
  0x7fc00000, 0x7fc00001, 0x7f800001, 0xffbadbad, 0x80000000, 0x00000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x3f800000, 0xc2f6e979,
]);

function randomF32(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = s = (Math.imul(s, 1664525) + 1013904223) >>> 0; // every bit pattern can appear
  return new Float32Array(out.buffer);
}

/** Build a file by hand from a header object, independently of the encoder (no padding, any offsets). */
function rawFile(header: unknown, data: Uint8Array | number = 0, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

const decodeError = (bytes: Uint8Array): string => {
  try {
    decodeSafetensors(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return (e as Error).message;
  }
  throw new Error('decode accepted a malformed file');
};

describe('safetensors bytes', () => {
  it('round-trips f32 tensors bit for bit (NaN payloads, -0, subnormals, every bit pattern)', () => {
    const tensors: HostTensor[] = [
      { name: 'awkward', shape: [3, 4], data: awkward },
      { name: 'random.weight', shape: [7, 5, 3], data: randomF32(105, 1) },
      { name: 'scalar', shape: [], data: fromBits([0xdeadbeef]) },
      { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
      { name: 'odd', shape: [1], data: new Float32Array([-0]) },
    ];
    const bytes = encodeSafetensors(tensors);
    const decoded = decodeSafetensors(bytes);
    expect(decoded.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    decoded.tensors.forEach((t, i) => {
      expect(t.shape).toEqual(tensors[i].shape);
      expect(t.dtype).toBe('F32');
      expect(bitsOf(t.data)).toEqual(bitsOf(tensors[i].data));
    });
    // Encoding the decoded tensors again gives the same file, byte for byte.
    expect(encodeSafetensors(decoded.tensors)).toEqual(bytes);
  });

  it('keeps tensor order even for integer-like names (which JSON objects hoist)', () => {
    const names = ['b', '10', '2', 'a.0'];
    const bytes = encodeSafetensors(names.map((name, i) => ({ name, shape: [1], data: new Float32Array([i]) })));
    const back = decodeSafetensors(bytes).tensors;
    expect(back.map((t) => t.name)).toEqual(names);
    expect(back.map((t) => t.data[0])).toEqual([0, 1, 2, 3]);
  });

  it('writes the layout the format prescribes: u64 length, space-padded JSON to 8 bytes, packed data', () => {
    const bytes = encodeSafetensors([
      { name: 'a', shape: [2], data: new Float32Array([1, 2]) },
      { name: 'b', shape: [1], data: new Float32Array([3]) },
    ]);
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().length).toBeLessThanOrEqual(n);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    expect(JSON.parse(text)).toEqual({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    });
    expect(bytes.length).toBe(8 + n + 12);
    expect(view.getFloat32(8 + n + 8, true)).toBe(3);
  });

  it('round-trips metadata and reads a hand-made file with an unaligned data section', () => {
    const meta = { format: 'pt', step: '1200', note: 'ünïcode ✓' };
    expect(decodeSafetensors(encodeSafetensors([{ name: 'x', shape: [1], data: new Float32Array([5]) }], meta)).metadata).toEqual(meta);
    expect(decodeSafetensors(encodeSafetensors([])).metadata).toEqual({});

    // Header length 67 (not a multiple of 8) puts the f32 data at an odd byte offset.
    const data = new Uint8Array(8);
    new DataView(data.buffer).setFloat32(0, -1.5, true);
    new DataView(data.buffer).setFloat32(4, 2.25, true);
    const file = rawFile({ __metadata__: { k: 'v' }, w: { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] } }, data);
    const { tensors, metadata } = decodeSafetensors(file);
    expect(metadata).toEqual({ k: 'v' });
    expect([...tensors[0].data]).toEqual([-1.5, 2.25]);
    // A view into a larger buffer (Node's readFile may hand one out) decodes the same.
    const padded = new Uint8Array(file.length + 13);
    padded.set(file, 5);
    expect([...decodeSafetensors(padded.subarray(5, 5 + file.length)).tensors[0].data]).toEqual([-1.5, 2.25]);
  });

  it('widens F16 exactly for all 65536 bit patterns, and BF16 by a shift', () => {
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      const expected = e === 0x1f ? (m ? NaN : s * Infinity) : e === 0 ? s * m * 2 ** -24 : s * 2 ** (e - 15) * (1 + m / 1024);
      const got = new Float32Array(new Uint32Array([halfToF32Bits(h)]).buffer)[0];
      if (Number.isNaN(expected)) {
        expect(Number.isNaN(got)).toBe(true);
        expect(halfToF32Bits(h) & 0x1fff).toBe(0); // the payload moves up, nothing is invented
      } else if (!Object.is(got, expected)) throw new Error(`half 0x${h.toString(16)}: got ${got}, expected ${expected}`);
    }
    const halves = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x8000]).buffer);
    const bf = new Uint8Array(new Uint16Array([0x3f80, 0xc049, 0x7fc1]).buffer);
    const file = rawFile(
      { h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] }, b: { dtype: 'BF16', shape: [3], data_offsets: [8, 14] } },
      new Uint8Array([...halves, ...bf]),
    );
    const [h, b] = decodeSafetensors(file).tensors;
    expect([h.dtype, b.dtype]).toEqual(['F16', 'BF16']);
    expect([...h.data]).toEqual([1, -2, 2 ** -24, -0]);
    expect(Object.is(h.data[3], -0)).toBe(true);
    expect(bitsOf(b.data)).toEqual([0x3f800000, 0xc0490000, 0x7fc10000]);
  });

  describe('rejects malformed files whole, saying what is wrong', () => {
    const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['empty file', () => new Uint8Array(0), /file is 0 bytes, shorter than the 8-byte header length/],
      ['7-byte file', () => new Uint8Array(7), /file is 7 bytes/],
      [
        'header length past the end',
        () => {
          const f = rawFile(ok, 12);
          new DataView(f.buffer).setUint32(0, 5000, true);
          return f;
        },
        /header length 5000 runs beyond the file/,
      ],
      [
        'header length of 2^60',
        () => {
          const f = rawFile(ok, 12);
          new DataView(f.buffer).setUint32(4, 2 ** 28, true);
          return f;
        },
        /header length \d+ runs beyond the file/,
      ],
      ['invalid JSON', () => rawFile(null, 12, '{"a": {"dtype": "F32",'), /header is not valid JSON/],
      [
        'invalid UTF-8',
        () => {
          const f = rawFile(null, 0, '{"\u00e9": 1}');
          f[10] = 0xff;
          return f;
        },
        /header is not valid UTF-8/,
      ],
      ['header not an object', () => rawFile([1, 2]), /header JSON is not an object/],
      [
        'offsets past the data',
        () => rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 8),
        /tensor "a": data_offsets \[4, 12\] run past the data section \(8 bytes\)/,
      ],
      [
        'offsets reversed',
        () => rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, 8),
        /data_offsets \[8, 4\] end before they begin/,
      ],
      [
        'offsets not integers',
        () => rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }, 8),
        /data_offsets \[0,4.5\] is not a pair of non-negative integers/,
      ],
      [
        'overlapping tensors',
        () => rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
        /tensors "a" \[0, 8\] and "b" \[4, 12\] overlap/,
      ],
      [
        'a gap between tensors',
        () => rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12),
        /bytes \[4, 8\) of the data section belong to no tensor/,
      ],
      ['trailing bytes', () => rawFile(ok, 16), /data section is 16 bytes but the tensors cover only \[0, 12\)/],
      [
        'unsupported dtype I64',
        () => rawFile({ n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8),
        /tensor "n": dtype I64 is not supported \(supported: F32, F16, BF16\)/,
      ],
      ['unsupported dtype F64', () => rawFile({ n: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, 8), /dtype F64 is not supported/],
      [
        'dtype naming an Object key',
        () => rawFile({ n: { dtype: 'toString', shape: [1], data_offsets: [0, 8] } }, 8),
        /dtype toString is not supported/,
      ],
      [
        'shape and bytes disagree',
        () => rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8),
        /tensor "a": shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/,
      ],
      [
        'a huge shape (no allocation)',
        () => rawFile({ a: { dtype: 'F32', shape: [1e6, 1e6, 1e6], data_offsets: [0, 8] } }, 8),
        /shape \[1000000, 1000000, 1000000\] of F32 needs 4000000000000000000 bytes/,
      ],
      [
        'negative dimension',
        () => rawFile({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, 8),
        /shape \[-2\] is not a list of non-negative integers/,
      ],
      ['entry not an object', () => rawFile({ a: 3 }), /tensor "a": entry is not an object/],
      ['non-string metadata', () => rawFile({ __metadata__: { step: 3 } }), /metadata "step" is not a string/],
    ];
    for (const [name, make, pattern] of cases) it(name, () => expect(decodeError(make())).toMatch(pattern));
  });

  it('refuses to encode inconsistent tensors', () => {
    const enc = (t: HostTensor[], m?: Record<string, string>) => () => encodeSafetensors(t, m);
    expect(enc([{ name: 'a', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/"a" has shape \[2, 2\] \(4 elements\) but 3 values/);
    expect(
      enc([
        { name: 'a', shape: [1], data: new Float32Array(1) },
        { name: 'a', shape: [1], data: new Float32Array(1) },
      ]),
    ).toThrow(/"a" appears twice/);
    expect(enc([{ name: '__metadata__', shape: [1], data: new Float32Array(1) }])).toThrow(/invalid tensor name/);
    expect(enc([], { n: 3 as unknown as string })).toThrow(/metadata "n" must be a string/);
  });

  it('wraps bytes in a Blob and back', async () => {
    const bytes = encodeSafetensors([{ name: 'w', shape: [12], data: awkward }], { a: 'b' });
    const blob = safetensorsBlob(bytes);
    expect(blob.size).toBe(bytes.length);
    const back = await decodeSafetensorsBlob(blob);
    expect(back.metadata).toEqual({ a: 'b' });
    expect(bitsOf(back.tensors[0].data)).toEqual(bitsOf(awkward));
  });
});

describe('safetensors files (atomic writes)', () => {
  const withDir = async (fn: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'st-test-'));
    try {
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('writes and reads a file, replacing an older one', () =>
    withDir(async (dir) => {
      const path = join(dir, 'model.safetensors');
      await writeFile(path, 'old contents');
      await writeSafetensorsFile(path, [{ name: 'w', shape: [12], data: awkward }], { epoch: '3' });
      const back = await readSafetensorsFile(path);
      expect(back.metadata).toEqual({ epoch: '3' });
      expect(bitsOf(back.tensors[0].data)).toEqual(bitsOf(awkward));
      expect(await readdir(dir)).toEqual(['model.safetensors']);
    }));

  it('a write that fails midway leaves the old file intact and no temporary file behind', () =>
    withDir(async (dir) => {
      const path = join(dir, 'model.safetensors');
      const old = encodeSafetensors([{ name: 'old', shape: [2], data: new Float32Array([1, 2]) }]);
      await writeFileAtomic(path, old);
      let sawOldDuringWrite = false;
      async function* failingProducer() {
        yield new Uint8Array(1024).fill(7);
        // Halfway through, the target must still hold the old bytes: nothing writes it in place.
        sawOldDuringWrite = Buffer.compare(await readFile(path), Buffer.from(old)) === 0;
        throw new Error('disk full (simulated)');
      }
      await expect(writeFileAtomic(path, failingProducer())).rejects.toThrow('disk full (simulated)');
      expect(sawOldDuringWrite).toBe(true);
      expect(new Uint8Array(await readFile(path))).toEqual(old);
      expect(await readdir(dir)).toEqual(['model.safetensors']);
    }));

  it('fails cleanly when the directory does not exist', () =>
    withDir(async (dir) => {
      await expect(writeFileAtomic(join(dir, 'missing', 'x.safetensors'), new Uint8Array(8))).rejects.toThrow(/ENOENT/);
      expect(await readdir(dir)).toEqual([]);
    }));
});

describe('safetensors ↔ GPU tensors', () => {
  useEngine();
  it('uploads and reads back bit for bit', async () => {
    const a = Tensor.fromArray(awkward, [3, 4]);
    const b = Tensor.fromArray(randomF32(35, 9), [5, 7]);
    const bytes = await tensorsToSafetensors(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      { by: 'gpu' },
    );
    const { tensors, metadata } = safetensorsToTensors(bytes);
    expect(metadata).toEqual({ by: 'gpu' });
    expect([...tensors.keys()]).toEqual(['a', 'b']);
    expect(tensors.get('b')!.shape).toEqual([5, 7]);
    expect(bitsOf(await tensors.get('a')!.read())).toEqual(bitsOf(awkward));
    expect(bitsOf(await tensors.get('b')!.read())).toEqual(bitsOf(await b.read()));
    for (const t of [a, b, ...tensors.values()]) t.dispose();
  });
});
