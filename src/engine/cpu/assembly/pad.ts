// Zero-padding (or cropping) of N·C planes H × W into PH × PW, input row iy landing on row
// iy + pt and column ix on column ix + pl; planes dealt out to threads in turn. With the input
// padded once per conv, the GEMM's packers read every tap of a panel in one run (no bounds test
// per element), and the direct kernels need no bounds checks at all.

/** d: planes, H, W, PH, PW, pt, pl, x, dst. */
export function padPlanes(d: usize, tid: i32, nt: i32): void {
  const planes = load<i32>(d), H = load<i32>(d, 4), W = load<i32>(d, 8), PH = load<i32>(d, 12), PW = load<i32>(d, 16);
  const pt = load<i32>(d, 20), pl = load<i32>(d, 24);
  const x = load<usize>(d, 28), dst = load<usize>(d, 32);
  // Rows and columns of the input that land inside the padded plane (a negative pt/pl crops).
  const y0 = max(0, -pt), y1 = min(H, PH - pt), x0 = max(0, -pl), x1 = min(W, PW - pl);
  const row = <usize>PW << 2;
  for (let p = tid; p < planes; p += nt) {
    const src = x + (<usize>(p * H * W) << 2);
    const out = dst + (<usize>(p * PH * PW) << 2);
    if (y1 <= y0 || x1 <= x0) { memory.fill(out, 0, <usize>PH * row); continue; }
    const top = y0 + pt, bottom = y1 + pt; // padded rows [top, bottom) hold input
    memory.fill(out, 0, <usize>top * row);
    const left = <usize>(x0 + pl) << 2, width = <usize>(x1 - x0) << 2;
    for (let r = top; r < bottom; r++) {
      const o = out + <usize>r * row;
      memory.fill(o, 0, left);
      memory.copy(o + left, src + (<usize>((r - pt) * W + x0) << 2), width);
      memory.fill(o + left + width, 0, row - left - width);
    }
    memory.fill(out + <usize>bottom * row, 0, <usize>(PH - bottom) * row);
  }
}
