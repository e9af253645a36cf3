/**
 * The safetensors format, as pure functions over bytes (browser and Node alike):
 *
 *   [u64 little-endian N][N bytes of UTF-8 JSON header][data section]
 *
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative
 * to the start of the data section) plus an optional "__metadata__" of string → string.
 * We write F32 only; we read F32, and F16/BF16 widened to f32. A file is validated whole before any
 * tensor is allocated, so a malformed or truncated file costs no more memory than its own bytes.
 * The byte-level functions need no GPU; the helpers at the end move GPU tensors and modules.
 */
import { Tensor } from '../tensor.js';
import { keep } from '../scope.js';
import { EngineError } from '../errors.js';

export type SafetensorsDType = 'F32' | 'F16' | 'BF16';

/** A tensor on the CPU, in row-major order. */
export interface HostTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface DecodedTensor extends HostTensor {
  /** The dtype stored in the file (the data is always widened to f32). */
  dtype: SafetensorsDType;
}

export interface DecodedSafetensors {
  /** In the order of their data in the file (the order they were given to `encodeSafetensors`). */
  tensors: DecodedTensor[];
  metadata: Record<string, string>;
}

export class SafetensorsError extends EngineError {
  override name = 'SafetensorsError';
}

const BYTES_PER_ELEMENT: Record<SafetensorsDType, number> = { F32: 4, F16: 2, BF16: 2 };
const METADATA_KEY = '__metadata__';
/** The reference implementation refuses headers above 100 MB; so do we (a u64 could claim exabytes). */
const MAX_HEADER_BYTES = 100_000_000;

// Typed arrays use the platform's byte order; the format is little-endian. Every platform we run on
// is little-endian, but on a big-endian one the slower DataView path keeps files portable.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------- encode

/**
 * Serialise f32 tensors. Data is laid out in the order given; bytes are copied, never converted,
 * so NaN payloads and -0 survive a round trip.
 */
export function encodeSafetensors(tensors: readonly HostTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new SafetensorsError(`encode: metadata "${k}" must be a string, got ${typeof v}`);
    header[METADATA_KEY] = metadata;
  }
  const seen = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (!t.name || t.name === METADATA_KEY) throw new SafetensorsError(`encode: invalid tensor name "${t.name}"`);
    if (seen.has(t.name)) throw new SafetensorsError(`encode: tensor name "${t.name}" appears twice`);
    seen.add(t.name);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafetensorsError(`encode: tensor "${t.name}" has invalid shape [${t.shape.join(', ')}]`);
    const count = t.shape.reduce((p, d) => p * d, 1);
    if (count !== t.data.length)
      throw new SafetensorsError(`encode: tensor "${t.name}" has shape [${t.shape.join(', ')}] (${count} elements) but ${t.data.length} values`);
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned.
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const t of tensors) {
    writeF32(out, pos, t.data);
    pos += t.data.length * 4;
  }
  return out;
}

function writeF32(out: Uint8Array, pos: number, data: Float32Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    return;
  }
  // Move the bit patterns as integers: a float round trip could canonicalise NaNs.
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < bits.length; i++) view.setUint32(pos + 4 * i, bits[i], true);
}

// ---------------------------------------------------------------- decode

interface Entry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parse and validate a whole file; throws SafetensorsError saying what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`safetensors: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // u64 read as two halves: exact up to 2^53, and anything larger is out of range anyway.
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > bytes.length - 8) fail(`header length ${headerLen} runs beyond the file (${bytes.length - 8} bytes after the length field)`);
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLen < 2) fail(`header length ${headerLen} is too short to hold a JSON object`);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header JSON is not an object');

  const dataLen = bytes.length - 8 - headerLen;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(raw, fail);
      continue;
    }
    entries.push(parseEntry(name, raw, dataLen, fail));
  }
  // Data order, not header order: JSON objects hoist integer-like keys, so the header cannot keep order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkCoverage(entries, dataLen, fail);

  // Everything is consistent: every allocation below is backed by bytes the file really holds.
  const dataStart = bytes.byteOffset + 8 + headerLen;
  const tensors = entries.map((e): DecodedTensor => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    data: toF32(e.dtype, bytes.buffer, dataStart + e.begin, e.end - e.begin),
  }));
  return { tensors, metadata };
}

function parseMetadata(raw: unknown, fail: (m: string) => never): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('"__metadata__" is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`metadata "${k}" is not a string`);
    out[k] = v as string;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, dataLen: number, fail: (m: string) => never): Entry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`tensor "${name}": entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`tensor "${name}": missing dtype`);
  if (!Object.hasOwn(BYTES_PER_ELEMENT, dtype as string))
    fail(`tensor "${name}": dtype ${dtype} is not supported (supported: ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    fail(`tensor "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
    fail(`tensor "${name}": data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  const [begin, end] = offsets as number[];
  if (begin > end) fail(`tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLen) fail(`tensor "${name}": data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes)`);
  const dims = shape as number[];
  const width = BYTES_PER_ELEMENT[dtype as SafetensorsDType];
  // A float product: beyond 2^53 it rounds, but it is then far larger than any real file, so it
  // can never round onto a matching byte count.
  const needed = dims.reduce((p, d) => p * d, 1) * width;
  if (needed !== end - begin)
    fail(`tensor "${name}": shape [${dims.join(', ')}] of ${dtype} needs ${needed} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return { name, dtype: dtype as SafetensorsDType, shape: dims, begin, end };
}

/** The tensors, sorted by offset, must tile the data section exactly: no gaps, no overlaps, nothing left over. */
function checkCoverage(sorted: readonly Entry[], dataLen: number, fail: (m: string) => never): void {
  let cursor = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor) fail(`tensors "${prev!.name}" [${prev!.begin}, ${prev!.end}] and "${e.name}" [${e.begin}, ${e.end}] overlap`);
    if (e.begin > cursor) fail(`bytes [${cursor}, ${e.begin}) of the data section belong to no tensor`);
    cursor = e.end;
    if (e.end > e.begin) prev = e; // only a non-empty tensor can be overlapped
  }
  if (cursor !== dataLen) fail(`data section is ${dataLen} bytes but the tensors cover only [0, ${cursor})`);
}

function toF32(dtype: SafetensorsDType, buffer: ArrayBufferLike, start: number, byteLen: number): Float32Array {
  const view = new DataView(buffer, start, byteLen);
  if (dtype === 'F32') {
    // Copy (the data may sit at an unaligned offset), then reinterpret: bits are untouched.
    if (LITTLE_ENDIAN) return new Float32Array(buffer.slice(start, start + byteLen) as ArrayBuffer);
    const bits = new Uint32Array(byteLen / 4);
    for (let i = 0; i < bits.length; i++) bits[i] = view.getUint32(4 * i, true);
    return new Float32Array(bits.buffer);
  }
  const n = byteLen / 2;
  const bits = new Uint32Array(n);
  if (dtype === 'BF16') {
    // bfloat16 is the top half of an f32: widening is a shift, exact for every value and NaN.
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < n; i++) bits[i] = halfToF32Bits(view.getUint16(2 * i, true));
  }
  return new Float32Array(bits.buffer);
}

/** IEEE binary16 → binary32 bit pattern, exact (every half is representable as a float). */
export function halfToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN, payload kept
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // rebias 15 → 127
  if (mant === 0) return sign >>> 0; // ±0
  // Subnormal half: normalise by shifting the leading 1 into the implicit bit.
  let e = 113;
  while (!(mant & 0x400)) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

// ---------------------------------------------------------------- GPU tensors and modules

/** What a checkpoint is taken from or loaded into (nn's Module satisfies this). */
export interface Checkpointable {
  stateDict(): Map<string, Tensor>;
  loadStateDict(source: readonly HostTensor[], opts?: { strict?: boolean }): unknown;
}

/** Read GPU tensors back and serialise them, in the dict's order. */
export async function tensorsToSafetensors(
  dict: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  const entries = dict instanceof Map ? [...dict] : Object.entries(dict);
  const data = await Promise.all(entries.map(([, t]) => t.read()));
  return encodeSafetensors(
    entries.map(([name, t], i) => ({ name, shape: [...t.shape], data: data[i] })),
    metadata,
  );
}

/** Decode and upload every tensor; the caller owns (and disposes) the returned tensors. */
export function safetensorsToTensors(bytes: Uint8Array): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return { tensors: new Map(tensors.map((t) => [t.name, keep(Tensor.fromArray(t.data, t.shape))])), metadata };
}

/** A module's state dict as safetensors bytes. */
export function saveCheckpoint(model: Checkpointable, metadata?: Record<string, string>): Promise<Uint8Array> {
  return tensorsToSafetensors(model.stateDict(), metadata);
}

/**
 * Load safetensors bytes into a module's existing tensors (strict by default: every key must
 * match). The file is validated whole first, so a bad file changes nothing. Returns the metadata.
 */
export function loadCheckpoint(model: Checkpointable, bytes: Uint8Array, opts: { strict?: boolean } = {}): Record<string, string> {
  const { tensors, metadata } = decodeSafetensors(bytes);
  model.loadStateDict(tensors, opts);
  return metadata;
}

/** Bytes as a Blob, for a download link in the browser. */
export function safetensorsBlob(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
}

/** Decode a File or Blob (an <input type=file> pick, a fetch response's blob). */
export async function decodeSafetensorsBlob(blob: Blob): Promise<DecodedSafetensors> {
  return decodeSafetensors(new Uint8Array(await blob.arrayBuffer()));
}
