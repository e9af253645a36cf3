// The light kernels the CPU backend runs over whole tensors, in SIMD and split across threads:
// elementwise maps, pixel shuffle ×2/×4 and separable resampling along one axis. Each gives the
// same bits as the JavaScript loop it replaces (ops/cpu/), so only the speed changes:
// - maps: a f32 add, subtract or multiply is what JavaScript's f64 result rounds to (f64 holds
//   the exact result of one f32 operation before the single rounding), and min/max propagate
//   NaN like Math.min/max;
// - resampling sums its taps in f64 in the same order (f32 · f32 is exact in f64).

export const MAP_ADD: i32 = 0;
export const MAP_SUB: i32 = 1;
export const MAP_MUL: i32 = 2;
export const MAP_CLAMP: i32 = 3;
export const MAP_ADD_SCALAR: i32 = 4;
export const MAP_MUL_SCALAR: i32 = 5;

/** This thread's part [start, end) of n items, in runs of `align`: contiguous, the same for any timing. */
@inline function share(n: i32, tid: i32, nt: i32, align: i32): i64 {
  const per = ((n + nt - 1) / nt + align - 1) / align * align;
  const start = min(n, tid * per), end = min(n, start + per);
  return (<i64>start << 32) | <i64>end;
}

/** d: op, n, a, b, y, p0 (f32), p1 (f32). y[i] = op(a[i], b[i]) or op(a[i], p0, p1). */
export function mapJob(d: usize, tid: i32, nt: i32): void {
  const op = load<i32>(d), n = load<i32>(d, 4);
  const a = load<usize>(d, 8), b = load<usize>(d, 12), y = load<usize>(d, 16);
  const p0 = load<f32>(d, 20), p1 = load<f32>(d, 24);
  const s = share(n, tid, nt, 4), start = <i32>(s >> 32), end = <i32>s;
  mapRange(op, a, b, y, p0, p1, start, end);
}

function mapRange(op: i32, a: usize, b: usize, y: usize, p0: f32, p1: f32, start: i32, end: i32): void {
  const lo = f32x4.splat(p0), hi = f32x4.splat(p1);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(a + o);
    let v: v128;
    if (op == MAP_ADD) v = f32x4.add(x, v128.load(b + o));
    else if (op == MAP_SUB) v = f32x4.sub(x, v128.load(b + o));
    else if (op == MAP_MUL) v = f32x4.mul(x, v128.load(b + o));
    else if (op == MAP_CLAMP) v = f32x4.min(f32x4.max(x, lo), hi);
    else if (op == MAP_ADD_SCALAR) v = f32x4.add(x, lo);
    else v = f32x4.mul(x, lo);
    v128.store(y + o, v);
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(a + o);
    let v: f32;
    if (op == MAP_ADD) v = x + load<f32>(b + o);
    else if (op == MAP_SUB) v = x - load<f32>(b + o);
    else if (op == MAP_MUL) v = x * load<f32>(b + o);
    else if (op == MAP_CLAMP) v = <f32>Math.min(Math.max(<f64>x, <f64>p0), <f64>p1);
    else if (op == MAP_ADD_SCALAR) v = x + p0;
    else v = x * p0;
    store<f32>(y + o, v);
  }
}

/**
 * Pixel shuffle by r (2 or 4) and its inverse: planes small [N·C·r², h, w] ↔ large [N·C, h·r, w·r],
 * small channel (nc·r + i)·r + j holding the large plane's phase (i, j) (PyTorch's order).
 * d: toLarge, planes (N·C), h, w, r, small, large. Large rows are dealt out to threads.
 * A run of 4 small pixels from each of the r phases j is one transpose of r vectors.
 */
export function shuffleJob(d: usize, tid: i32, nt: i32): void {
  const toLarge = load<i32>(d) != 0, planes = load<i32>(d, 4), h = load<i32>(d, 8), w = load<i32>(d, 12), r = load<i32>(d, 16);
  const small = load<usize>(d, 20), large = load<usize>(d, 24);
  const rows = planes * h * r, bw = w * r, plane = h * w;
  const s = share(rows, tid, nt, 1), start = <i32>(s >> 32), end = <i32>s;
  for (let row = start; row < end; row++) {
    const nc = row / (h * r), Y = row % (h * r), y = Y / r, i = Y % r;
    const l = large + (<usize>(row * bw) << 2);
    const src = small + (<usize>(((nc * r + i) * r) * plane + y * w) << 2), step = <usize>plane << 2;
    shuffleRow(toLarge, l, src, step, w, r);
  }
}

function shuffleRow(toLarge: bool, l: usize, src: usize, step: usize, w: i32, r: i32): void {
  let x = 0;
  if (r == 4) {
    for (; x + 4 <= w; x += 4) {
      const o = <usize>x << 2, lo = l + (<usize>x << 4);
      if (toLarge) {
        const a = v128.load(src + o), b = v128.load(src + step + o), c = v128.load(src + 2 * step + o), e = v128.load(src + 3 * step + o);
        const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
        const ce0 = v128.shuffle<f32>(c, e, 0, 4, 1, 5), ce1 = v128.shuffle<f32>(c, e, 2, 6, 3, 7);
        v128.store(lo, v128.shuffle<f32>(ab0, ce0, 0, 1, 4, 5));
        v128.store(lo, v128.shuffle<f32>(ab0, ce0, 2, 3, 6, 7), 16);
        v128.store(lo, v128.shuffle<f32>(ab1, ce1, 0, 1, 4, 5), 32);
        v128.store(lo, v128.shuffle<f32>(ab1, ce1, 2, 3, 6, 7), 48);
      } else {
        const p = v128.load(lo), q = v128.load(lo, 16), u = v128.load(lo, 32), v = v128.load(lo, 48);
        const pq0 = v128.shuffle<f32>(p, q, 0, 4, 1, 5), pq1 = v128.shuffle<f32>(p, q, 2, 6, 3, 7);
        const uv0 = v128.shuffle<f32>(u, v, 0, 4, 1, 5), uv1 = v128.shuffle<f32>(u, v, 2, 6, 3, 7);
        v128.store(src + o, v128.shuffle<f32>(pq0, uv0, 0, 1, 4, 5));
        v128.store(src + step + o, v128.shuffle<f32>(pq0, uv0, 2, 3, 6, 7));
        v128.store(src + 2 * step + o, v128.shuffle<f32>(pq1, uv1, 0, 1, 4, 5));
        v128.store(src + 3 * step + o, v128.shuffle<f32>(pq1, uv1, 2, 3, 6, 7));
      }
    }
  } else if (r == 2) {
    for (; x + 4 <= w; x += 4) {
      const o = <usize>x << 2, lo = l + (<usize>x << 3);
      if (toLarge) {
        const a = v128.load(src + o), b = v128.load(src + step + o);
        v128.store(lo, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
        v128.store(lo, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
      } else {
        const p = v128.load(lo), q = v128.load(lo, 16);
        v128.store(src + o, v128.shuffle<f32>(p, q, 0, 2, 4, 6));
        v128.store(src + step + o, v128.shuffle<f32>(p, q, 1, 3, 5, 7));
      }
    }
  }
  for (; x < w; x++)
    for (let j = 0; j < r; j++) {
      const pl = l + (<usize>(x * r + j) << 2), ps = src + <usize>j * step + (<usize>x << 2);
      if (toLarge) store<f32>(pl, load<f32>(ps));
      else store<f32>(ps, load<f32>(pl));
    }
}

/**
 * Resampling along one axis: x [outer, inLen, inner] → y [outer, outLen, inner]; output row o
 * sums count[o] taps from input row first[o] with weights[o·width + k], in f64, over total[o].
 * d: x, y, outer, inLen, outLen, inner, first, count, weights, total, width. Output rows are
 * dealt out to threads in contiguous runs.
 */
export function resizeJob(d: usize, tid: i32, nt: i32): void {
  const x = load<usize>(d), y = load<usize>(d, 4), outer = load<i32>(d, 8), inLen = load<i32>(d, 12), outLen = load<i32>(d, 16);
  const inner = load<i32>(d, 20), first = load<usize>(d, 24), count = load<usize>(d, 28), weights = load<usize>(d, 32);
  const total = load<usize>(d, 36), width = load<i32>(d, 40);
  const s = share(outer * outLen, tid, nt, 1), start = <i32>(s >> 32), end = <i32>s;
  for (let item = start; item < end; item++) {
    const q = item / outLen, o = item % outLen;
    const f = load<i32>(first + (<usize>o << 2)), n = load<i32>(count + (<usize>o << 2));
    const wts = weights + (<usize>(o * width) << 2), tot = <f64>load<f32>(total + (<usize>o << 2));
    const src = x + (<usize>((q * inLen + f) * inner) << 2), dst = y + (<usize>((q * outLen + o) * inner) << 2);
    if (inner == 1) {
      let sum: f64 = 0;
      for (let k = 0; k < n; k++) sum += <f64>load<f32>(wts + (<usize>k << 2)) * <f64>load<f32>(src + (<usize>k << 2));
      store<f32>(dst, <f32>(sum / tot));
    } else {
      resizeRow(src, dst, wts, n, inner, tot);
    }
  }
}

/** One output row of `inner` values: Σ_k w[k] · src row k, two f64 lanes at a time. */
function resizeRow(src: usize, dst: usize, wts: usize, n: i32, inner: i32, tot: f64): void {
  const rowBytes = <usize>inner << 2, t = f64x2.splat(tot);
  let b = 0;
  for (; b + 4 <= inner; b += 4) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let p = src + (<usize>b << 2);
    for (let k = 0; k < n; k++) {
      const w = f64x2.splat(<f64>load<f32>(wts + (<usize>k << 2)));
      const v = v128.load(p);
      lo = f64x2.add(lo, f64x2.mul(w, f64x2.promote_low_f32x4(v)));
      hi = f64x2.add(hi, f64x2.mul(w, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))));
      p += rowBytes;
    }
    const a = f32x4.demote_f64x2_zero(f64x2.div(lo, t)), c = f32x4.demote_f64x2_zero(f64x2.div(hi, t));
    v128.store(dst + (<usize>b << 2), v128.shuffle<f32>(a, c, 0, 1, 4, 5));
  }
  for (; b < inner; b++) {
    let sum: f64 = 0;
    for (let k = 0; k < n; k++) sum += <f64>load<f32>(wts + (<usize>k << 2)) * <f64>load<f32>(src + <usize>k * rowBytes + (<usize>b << 2));
    store<f32>(dst + (<usize>b << 2), <f32>(sum / tot));
  }
}
