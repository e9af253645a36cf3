// PReLU forward in SIMD: y = max(x, 0) + α[channel]·min(x, 0), branch-free (a branch on the sign
// of random activations mispredicts half the time). x is [N, C, inner]; x = 0 gives 0 either way.
export function preluForward(x: usize, alpha: usize, y: usize, total: i32, channels: i32, inner: i32): void {
  const zero = f32x4.splat(0);
  let ch = 0;
  for (let start = 0; start < total; start += inner) {
    const a = load<f32>(alpha + (<usize>ch << 2));
    const av = f32x4.splat(a);
    const end = start + inner;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      v128.store(y + (<usize>i << 2), f32x4.add(f32x4.max(v, zero), f32x4.mul(av, f32x4.min(v, zero))));
    }
    for (; i < end; i++) {
      const v = load<f32>(x + (<usize>i << 2));
      store<f32>(y + (<usize>i << 2), v > 0 ? v : a * v);
    }
    if (++ch == channels) ch = 0;
  }
}
