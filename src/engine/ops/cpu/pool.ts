/**
 * Max pooling on the CPU backend, with the WGSL kernels' rules (kernels/pool.ts): the argmax is
 * the first maximum in row-major window order and a NaN wins, so forward and backward agree on
 * which pixel each window chose. The backward scatters each window's gradient onto its argmax,
 * windows in row-major order, adding in f32, which is the order and rounding of the WGSL gather.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import type { PoolGeometry } from '../pool.js';

/** Offset in x of the chosen pixel of window (plane, oy, ox). */
function argmaxAt(x: Float32Array, g: PoolGeometry, plane: number, oy: number, ox: number): number {
  let at = (plane * g.h + oy * g.s) * g.w + ox * g.s;
  let best = x[at];
  for (let ky = 0; ky < g.k; ky++) {
    const row = (plane * g.h + oy * g.s + ky) * g.w + ox * g.s;
    for (let kx = 0; kx < g.k; kx++) {
      const v = x[row + kx];
      // eslint-disable-next-line no-self-compare -- x !== x is the NaN test, the cheapest one in this loop
      if (v > best || (v !== v && best === best)) {
        best = v;
        at = row + kx;
      }
    }
  }
  return at;
}

export function maxPoolForwardCpu(eng: CpuEngine, x: Tensor, outShape: readonly number[], g: PoolGeometry): Tensor {
  return eng.kernel(
    'max_pool2d',
    () => {
      const y = Tensor.empty(outShape);
      const xd = x.data,
        yd = y.data;
      let o = 0;
      for (let p = 0; p < g.planes; p++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) yd[o++] = xd[argmaxAt(xd, g, p, oy, ox)];
      return y;
    },
    0,
    4 * (x.size + g.planes * g.oh * g.ow),
  );
}

export function maxPoolBackwardCpu(eng: CpuEngine, x: Tensor, grad: Tensor, g: PoolGeometry): Tensor {
  return eng.kernel(
    'max_pool2d_bwd',
    () => {
      const dx = Tensor.empty(x.shape);
      const xd = x.data,
        gd = grad.data,
        dxd = dx.data;
      dxd.fill(0);
      let o = 0;
      for (let p = 0; p < g.planes; p++)
        for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) dxd[argmaxAt(xd, g, p, oy, ox)] += gd[o++];
      return dx;
    },
    0,
    4 * (2 * x.size + grad.size),
  );
}
