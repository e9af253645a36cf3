// PReLU in SIMD, branch-free (a branch on the sign of random activations mispredicts half the
// time). x is [N, C, inner]; the channel of a run of `inner` elements cycles through C.

/** y = x where x > 0, else α[channel]·x: the input gradient below with g = x. */
export function preluForward(x: usize, alpha: usize, y: usize, total: i32, channels: i32, inner: i32): void {
  preluInputGrad(x, x, alpha, y, total, channels, inner);
}

/** PReLU's input gradient, branch-free: dx = g where x > 0, else α[ch]·g. */
export function preluInputGrad(x: usize, g: usize, alpha: usize, dx: usize, total: i32, channels: i32, inner: i32): void {
  const zero = f32x4.splat(0);
  let ch = 0;
  for (let start = 0; start < total; start += inner) {
    const a = load<f32>(alpha + (<usize>ch << 2));
    const av = f32x4.splat(a);
    const end = start + inner;
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
