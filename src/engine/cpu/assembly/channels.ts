// Per-channel kernels over x read as [N, C, inner] (batch-norm statistics and gradients, PReLU's
// gradients): the JS loops they replace cost 20–35 ns per element. Sums accumulate in float64
// (f64x2 lanes), as the JS did, so no chunking is needed for accuracy.

/**
 * Σa and Σa·(b − center[ch]) per channel, added into out[2·ch] and out[2·ch + 1] (float64; out
 * starts at zero). `negative`: b read as min(b, 0) (PReLU's dα sums g·x over x ≤ 0).
 */
export function channelMoments(a: usize, b: usize, center: usize, out: usize, total: i32, channels: i32, inner: i32, negative: bool): void {
  const zero = f32x4.splat(0);
  let ch = 0;
  for (let start = 0; start < total; start += inner) {
    const m = f64x2.splat(load<f64>(center + (<usize>ch << 3)));
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), d0 = f64x2.splat(0), d1 = f64x2.splat(0);
    const end = start + inner;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const va = v128.load(a + (<usize>i << 2));
      let vb = v128.load(b + (<usize>i << 2));
      if (negative) vb = f32x4.min(vb, zero);
      const al = f64x2.promote_low_f32x4(va), ah = f64x2.promote_low_f32x4(v128.shuffle<f32>(va, va, 2, 3, 2, 3));
      const bl = f64x2.promote_low_f32x4(vb), bh = f64x2.promote_low_f32x4(v128.shuffle<f32>(vb, vb, 2, 3, 2, 3));
      s0 = f64x2.add(s0, al); s1 = f64x2.add(s1, ah);
      d0 = f64x2.add(d0, f64x2.mul(al, f64x2.sub(bl, m))); d1 = f64x2.add(d1, f64x2.mul(ah, f64x2.sub(bh, m)));
    }
    const s = f64x2.add(s0, s1), d = f64x2.add(d0, d1);
    let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    let dot = f64x2.extract_lane(d, 0) + f64x2.extract_lane(d, 1);
    const c = f64x2.extract_lane(m, 0);
    for (; i < end; i++) {
      const va = <f64>load<f32>(a + (<usize>i << 2));
      sum += va;
      let vb = load<f32>(b + (<usize>i << 2));
      if (negative) vb = min(vb, 0);
      dot += va * (<f64>vb - c);
    }
    const o = out + (<usize>ch << 4);
    store<f64>(o, load<f64>(o) + sum);
    store<f64>(o, load<f64>(o, 8) + dot, 8);
    if (++ch == channels) ch = 0;
  }
}

/**
 * out = k[0]·p + k[1]·(q − k[2]) + k[3] per element, k the channel's four coefficients (float32,
 * at coef + 16·ch): batch-norm's normalisation (q unused: k[1] = 0) and its input gradient.
 */
export function channelAffine(p: usize, q: usize, coef: usize, out: usize, total: i32, channels: i32, inner: i32): void {
  let ch = 0;
  for (let start = 0; start < total; start += inner) {
    const k = coef + (<usize>ch << 4);
    const kp = v128.load32_splat(k), kq = v128.load32_splat(k, 4), kc = v128.load32_splat(k, 8), kb = v128.load32_splat(k, 12);
    const end = start + inner;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const v = f32x4.add(f32x4.add(f32x4.mul(kp, v128.load(p + o)), f32x4.mul(kq, f32x4.sub(v128.load(q + o), kc))), kb);
      v128.store(out + o, v);
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, f32x4.extract_lane(kp, 0) * load<f32>(p + o) + f32x4.extract_lane(kq, 0) * (load<f32>(q + o) - f32x4.extract_lane(kc, 0)) + f32x4.extract_lane(kb, 0));
    }
    if (++ch == channels) ch = 0;
  }
}
