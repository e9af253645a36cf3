/**
 * JPEG compression as a decoder would give it back, without the file: baseline JPEG's lossy steps
 * only (the entropy coding that follows them is lossless, so skipping it changes no pixel). As
 * libjpeg with its defaults: 8-bit RGB → JFIF YCbCr, chroma averaged over 2×2 (4:2:0), edges
 * replicated to whole 16×16 macroblocks, 8×8 DCT, quantisation by the IJG tables scaled for the
 * quality, then the decoder's dequantisation, inverse DCT, "fancy" (triangular) chroma upsampling
 * and YCbCr → RGB, each rounded to 8 bits where libjpeg rounds. Pure arithmetic, so it runs in the
 * browser worker too (Real-ESRGAN's training uses DiffJPEG, the same steps on the GPU).
 */
import type { Planes } from './planes.js';

// Annex K tables, in natural (row-major) order.
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array<number>(32).fill(99)];

/** The IJG quality scaling (jpeg_quality_scaling + jpeg_add_quant_table with force_baseline). */
export function quantTable(base: readonly number[], quality: number): Float64Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - 2 * q;
  return Float64Array.from(base, (b) => Math.min(255, Math.max(1, Math.floor((b * scale + 50) / 100))));
}

// cos((2x+1)uπ/16)·C(u)/2, the orthonormal 8-point DCT-II basis B (row u), and its transpose.
const BASIS = new Float64Array(64), BASIS_T = new Float64Array(64);
for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++)
  BASIS[u * 8 + x] = BASIS_T[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);

/** out = a·b for 8×8 row-major matrices. */
function mul8(a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
    let s = 0;
    for (let k = 0; k < 8; k++) s += a[r * 8 + k] * b[k * 8 + c];
    out[r * 8 + c] = s;
  }
}

/**
 * One 8×8 block (level-shifted samples) through the DCT (B·X·Bᵀ: coefficient [u][v], u vertical, as
 * the tables are laid out), quantisation, dequantisation and the inverse (Bᵀ·C·B), in place.
 */
function quantiseBlock(block: Float64Array, table: Float64Array, tmp: Float64Array): void {
  mul8(BASIS, block, tmp);
  mul8(tmp, BASIS_T, block);
  for (let i = 0; i < 64; i++) block[i] = Math.round(block[i] / table[i]) * table[i];
  mul8(BASIS_T, block, tmp);
  mul8(tmp, BASIS, block);
}

const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** A component plane (8-bit values, padded to whole blocks) quantised block by block, rounded back to 8 bits. */
function compressPlane(plane: Float64Array, w: number, h: number, table: Float64Array): void {
  const block = new Float64Array(64), tmp = new Float64Array(64);
  for (let by = 0; by < h; by += 8)
    for (let bx = 0; bx < w; bx += 8) {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[(by + y) * w + bx + x] - 128;
      quantiseBlock(block, table, tmp);
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) plane[(by + y) * w + bx + x] = clamp255(Math.round(block[y * 8 + x] + 128));
    }
}

/**
 * libjpeg's h2v2 "fancy" upsampling: each output sample is 9/16 of its own chroma sample, 3/16 of
 * each neighbour towards it along x and y, and 1/16 of the diagonal one (edges replicated).
 */
function upsampleFancy(c: Float64Array, cw: number, ch: number, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  const at = (x: number, y: number) => c[Math.min(ch - 1, Math.max(0, y)) * cw + Math.min(cw - 1, Math.max(0, x))];
  for (let y = 0; y < h; y++) {
    const cy = y >> 1, ny = y & 1 ? cy + 1 : cy - 1;
    for (let x = 0; x < w; x++) {
      const cx = x >> 1, nx = x & 1 ? cx + 1 : cx - 1;
      const v = 9 * at(cx, cy) + 3 * at(nx, cy) + 3 * at(cx, ny) + at(nx, ny);
      out[y * w + x] = Math.round(v / 16);
    }
  }
  return out;
}

/** The planes as a JPEG of `quality` (1–100) would decode: a new Planes, 8-bit values in [0, 1]. */
export function jpegCompress(p: Planes, quality: number): Planes {
  const { width: w, height: h } = p, n = w * h;
  // Whole 16×16 macroblocks (for 4:2:0), the edge pixels repeated as libjpeg pads.
  const pw = Math.ceil(w / 16) * 16, ph = Math.ceil(h / 16) * 16;
  const Y = new Float64Array(pw * ph), Cb = new Float64Array(pw * ph), Cr = new Float64Array(pw * ph);
  for (let y = 0; y < ph; y++)
    for (let x = 0; x < pw; x++) {
      const i = Math.min(y, h - 1) * w + Math.min(x, w - 1);
      const r = Math.round(clamp255(p.data[i] * 255)), g = Math.round(clamp255(p.data[n + i] * 255)), b = Math.round(clamp255(p.data[2 * n + i] * 255));
      const o = y * pw + x;
      Y[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      Cb[o] = clamp255(Math.round(-0.168735892 * r - 0.331264108 * g + 0.5 * b + 128));
      Cr[o] = clamp255(Math.round(0.5 * r - 0.418687589 * g - 0.081312411 * b + 128));
    }
  const cw = pw / 2, chh = ph / 2;
  const sub = (c: Float64Array) => {
    const s = new Float64Array(cw * chh);
    for (let y = 0; y < chh; y++) for (let x = 0; x < cw; x++) {
      const o = 2 * y * pw + 2 * x;
      s[y * cw + x] = Math.round((c[o] + c[o + 1] + c[o + pw] + c[o + pw + 1]) / 4);
    }
    return s;
  };
  const cb = sub(Cb), cr = sub(Cr);
  compressPlane(Y, pw, ph, quantTable(LUMA_Q, quality));
  const chromaTable = quantTable(CHROMA_Q, quality);
  compressPlane(cb, cw, chh, chromaTable);
  compressPlane(cr, cw, chh, chromaTable);
  const cbUp = upsampleFancy(cb, cw, chh, pw, ph), crUp = upsampleFancy(cr, cw, chh, pw, ph);
  const out = new Float32Array(3 * n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = y * pw + x, i = y * w + x, yy = Y[o], u = cbUp[o] - 128, v = crUp[o] - 128;
      out[i] = Math.round(clamp255(yy + 1.402 * v)) / 255;
      out[n + i] = Math.round(clamp255(yy - 0.344136286 * u - 0.714136286 * v)) / 255;
      out[2 * n + i] = Math.round(clamp255(yy + 1.772 * u)) / 255;
    }
  return { width: w, height: h, data: out };
}
