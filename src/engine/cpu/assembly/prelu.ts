// PReLU in SIMD, branch-free (a branch on the sign of random activations mispredicts half the
// time). x is [N, C, inner]; the channel of a run of `inner` elements cycles through C.

/** y = x where x > 0, else α[channel]·x: the input gradient below with g = x. */
export function preluForward(x: usize, alpha: usize, y: usize, total: i32, channels: i32, inner: i32): void {
  if (inner > 0) preluRuns(x, x, alpha, y, 0, total / inner, channels, inner);
}

/** PReLU's input gradient, branch-free: dx = g where x > 0, else α[ch]·g. */
export function preluInputGrad(x: usize, g: usize, alpha: usize, dx: usize, total: i32, channels: i32, inner: i32): void {
  if (inner > 0) preluRuns(x, g, alpha, dx, 0, total / inner, channels, inner);
}

/**
 * The same as a threaded job, each thread taking a contiguous range of runs. d: x, g (x for the
 * forward), alpha, out, total, channels, inner.
 */
export function preluJob(d: usize, tid: i32, nt: i32): void {
  const x = load<usize>(d), g = load<usize>(d, 4), alpha = load<usize>(d, 8), out = load<usize>(d, 12);
  const total = load<i32>(d, 16), channels = load<i32>(d, 20), inner = load<i32>(d, 24);
  if (inner <= 0) return;
  const runs = total / inner, per = (runs + nt - 1) / nt;
  const first = min(runs, tid * per), last = min(runs, first + per);
  preluRuns(x, g, alpha, out, first, last, channels, inner);
}

function preluRuns(x: usize, g: usize, alpha: usize, dx: usize, first: i32, last: i32, channels: i32, inner: i32): void {
  if (inner <= 0) return;
  const zero = f32x4.splat(0);
  let ch = first % channels;
  for (let run = first; run < last; run++) {
    const a = load<f32>(alpha + (<usize>ch << 2));
    const av = f32x4.splat(a);
    const start = run * inner, end = start + inner;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const gv = v128.load(g + o);
      v128.store(dx + o, v128.bitselect(gv, f32x4.mul(av, gv), f32x4.gt(v128.load(x + o), zero)));
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      const gv = load<f32>(g + o);
      store<f32>(dx + o, load<f32>(x + o) > 0 ? gv : a * gv);
    }
    if (++ch == channels) ch = 0;
  }
}
