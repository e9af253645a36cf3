/**
 * conv2d on the CPU backend: the forward and both gradients as implicit-im2col GEMMs in
 * WebAssembly (cpu/assembly/conv.ts). The input gradient is the forward kernel run on dY with the
 * weights flipped and transposed ([C, O, kh, kw]), padding k − 1 − p, and dY read "dilated" by
 * the stride (zeros between its pixels), so one kernel serves every stride.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import {
  convForwardJob,
  convWgradJob,
  directForwardJob,
  directPaddedWidth,
  directWgradJob,
  packA,
  padPlanesJob,
  type ConvJobGeometry,
  type DirectJobGeometry,
} from '../../cpu/jobs.js';
import type { HeapBlock } from '../../cpu/heap.js';
import type { ConvGeometry } from '../conv2d.js';
import type { ConvActivation } from '../../kernels/conv2d.js';

const offset = (t: Tensor) => t.storage.block.offset;

/**
 * Few output channels (a 9×9 conv to RGB, or the input gradient of a conv from RGB) starve an
 * im2col GEMM: the direct kernels (cpu/assembly/direct.ts) take stride-1 convs with O ≤ 4.
 */
const DIRECT_MAX_OUT = 4;

/**
 * The input [N, C, H, W] (at byte offset x) zero-padded into PH × PW planes with input (0, 0) at
 * (pt, pl), by the WebAssembly pad job. A negative pt/pl (the input gradient of a conv padded by
 * more than its kernel reaches) crops instead.
 */
const padded = (eng: CpuEngine, x: number, N: number, C: number, H: number, W: number, PH: number, PW: number, pt: number, pl: number) =>
  padPlanesJob(eng, x, N * C, H, W, PH, PW, pt, pl);

/**
 * A stride-1 conv as the GEMM kernels see it after padding its input: every tap in bounds, so the
 * packers copy whole runs (conv.ts) with no bounds test per element. Returns the padded block
 * (the caller releases it) and the geometry over it.
 */
function paddedGeometry(eng: CpuEngine, x: number, N: number, g: ConvJobGeometry): { block: HeapBlock; geo: ConvJobGeometry } {
  const PH = g.OH + g.kh - 1,
    PW = g.OW + g.kw - 1;
  const block = padded(eng, x, N, g.C, g.H, g.W, PH, PW, g.pt, g.pl);
  return { block, geo: { ...g, H: PH, W: PW, pt: 0, pl: 0 } };
}

/** Run `fn` on the conv's input padded for it (stride 1), or on the input itself (other strides, dilated reads). */
function withPaddedInput(eng: CpuEngine, x: number, N: number, g: ConvJobGeometry, fn: (x: number, g: ConvJobGeometry) => void): void {
  if (g.stride !== 1 || g.dil !== 1) {
    fn(x, g);
    return;
  }
  const { block, geo } = paddedGeometry(eng, x, N, g);
  try {
    fn(block.offset, geo);
  } finally {
    eng.heap.release(block);
  }
}

/** Y = W ⋆ X at stride 1 with the direct kernel; `w` is [O, C, kh, kw] at byte offset wOff. */
function directForward(
  eng: CpuEngine,
  x: Tensor,
  wOff: number,
  y: Tensor,
  N: number,
  C: number,
  H: number,
  W: number,
  O: number,
  kh: number,
  kw: number,
  pt: number,
  pl: number,
  OH: number,
  OW: number,
): void {
  const dg: DirectJobGeometry = { C, PH: OH + kh - 1, PW: directPaddedWidth(OW, kw), O, kh, kw, OH, OW, N };
  const xpad = padded(eng, offset(x), N, C, H, W, dg.PH, dg.PW, pt, pl);
  try {
    directForwardJob(eng, dg, xpad.offset, wOff, offset(y));
  } finally {
    eng.heap.release(xpad);
  }
}

function forwardGeometry(g: ConvGeometry): ConvJobGeometry {
  return { C: g.C, H: g.H, W: g.W, O: g.O, kh: g.kh, kw: g.kw, stride: g.stride, pt: g.pt, pl: g.pl, OH: g.OH, OW: g.OW, dil: 1 };
}

/** Bias and activation over Y [N, O, P], in place. */
function epilogue(y: Float32Array, bias: Float32Array | null, N: number, O: number, P: number, act: ConvActivation, alpha: number): void {
  if (!bias && act === 'none') return;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const b = bias ? bias[o] : 0;
      const base = (n * O + o) * P;
      if (act === 'relu')
        for (let i = base; i < base + P; i++) {
          const v = y[i] + b;
          y[i] = v > 0 ? v : 0;
        }
      else if (act === 'leakyRelu')
        for (let i = base; i < base + P; i++) {
          const v = y[i] + b;
          y[i] = v > 0 ? v : alpha * v;
        }
      else for (let i = base; i < base + P; i++) y[i] += b;
    }
}

export function conv2dForwardCpu(
  eng: CpuEngine,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  g: ConvGeometry,
  act: ConvActivation,
  alpha: number,
): Tensor {
  return eng.kernel(
    'conv2d',
    () => {
      const y = Tensor.empty([g.N, g.O, g.OH, g.OW]);
      if (g.stride === 1 && g.O <= DIRECT_MAX_OUT) {
        directForward(eng, x, offset(w), y, g.N, g.C, g.H, g.W, g.O, g.kh, g.kw, g.pt, g.pl, g.OH, g.OW);
        epilogue(y.data, bias ? bias.data : null, g.N, g.O, g.OH * g.OW, act, alpha);
        return y;
      }
      const K = g.C * g.kh * g.kw;
      const ap = packA(eng, offset(w), K, 1, g.O, K);
      // The GEMM starts each output tile from the bias and applies the activation per block.
      const epi = { bias: bias ? offset(bias) : 0, act, alpha };
      try {
        withPaddedInput(eng, offset(x), g.N, forwardGeometry(g), (xp, geo) => convForwardJob(eng, geo, g.N, xp, ap, offset(y), epi));
      } finally {
        eng.heap.release(ap);
      }
      return y;
    },
    2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw,
  );
}

/** dX [N, C, H, W] from dY [N, O, OH, OW]. */
export function conv2dDgradCpu(eng: CpuEngine, dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  return eng.kernel(
    'conv2d_dgrad',
    () => {
      const dx = Tensor.empty([g.N, g.C, g.H, g.W]);
      const kk = g.kh * g.kw,
        K = g.O * kk;
      // Wt[c, o, a, b] = W[o, c, kh − 1 − a, kw − 1 − b]
      const flipped = eng.heap.alloc(g.C * K * 4, 'cpu flipped weights');
      const wt = eng.heap.view(flipped, g.C * K),
        wd = w.data;
      for (let o = 0; o < g.O; o++)
        for (let c = 0; c < g.C; c++) for (let t = 0; t < kk; t++) wt[c * K + o * kk + (kk - 1 - t)] = wd[(o * g.C + c) * kk + t];
      if (g.stride === 1 && g.C <= DIRECT_MAX_OUT) {
        try {
          directForward(eng, dy, flipped.offset, dx, g.N, g.O, g.OH, g.OW, g.C, g.kh, g.kw, g.kh - 1 - g.pt, g.kw - 1 - g.pl, g.H, g.W);
        } finally {
          eng.heap.release(flipped);
        }
        return dx;
      }
      const ap = packA(eng, flipped.offset, K, 1, g.C, K);
      eng.heap.release(flipped);
      try {
        withPaddedInput(
          eng,
          offset(dy),
          g.N,
          {
            C: g.O,
            H: g.OH,
            W: g.OW,
            O: g.C,
            kh: g.kh,
            kw: g.kw,
            stride: 1,
            pt: g.kh - 1 - g.pt,
            pl: g.kw - 1 - g.pl,
            OH: g.H,
            OW: g.W,
            dil: g.stride,
          },
          (dyp, geo) => convForwardJob(eng, geo, g.N, dyp, ap, offset(dx)),
        );
      } finally {
        eng.heap.release(ap);
      }
      return dx;
    },
    2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw,
  );
}

/** dW [O, C, kh, kw]. */
export function conv2dWgradCpu(eng: CpuEngine, x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  return eng.kernel(
    'conv2d_wgrad',
    () => {
      const dw = Tensor.empty([g.O, g.C, g.kh, g.kw]);
      if (g.stride === 1 && g.O <= DIRECT_MAX_OUT) {
        const dg: DirectJobGeometry = {
          C: g.C,
          PH: g.OH + g.kh - 1,
          PW: directPaddedWidth(g.OW, g.kw),
          O: g.O,
          kh: g.kh,
          kw: g.kw,
          OH: g.OH,
          OW: g.OW,
          N: g.N,
        };
        const xpad = padded(eng, offset(x), g.N, g.C, g.H, g.W, dg.PH, dg.PW, g.pt, g.pl);
        dw.data.fill(0);
        try {
          directWgradJob(eng, dg, xpad.offset, offset(dw), offset(dy));
        } finally {
          eng.heap.release(xpad);
        }
        return dw;
      }
      withPaddedInput(eng, offset(x), g.N, forwardGeometry(g), (xp, geo) => convWgradJob(eng, geo, g.N, xp, offset(dy), offset(dw)));
      return dw;
    },
    2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw,
  );
}

/** dL/d(pre-activation) = dL/dy · act'(y), read off the saved output's sign. */
export function maskGradientCpu(eng: CpuEngine, y: Tensor, g: Tensor, act: ConvActivation, alpha: number): Tensor {
  return eng.kernel(`conv2d_${act}_mask`, () => {
    const out = Tensor.empty(g.shape);
    const yd = y.data,
      gd = g.data,
      od = out.data;
    const neg = act === 'relu' ? 0 : alpha;
    for (let i = 0; i < od.length; i++) od[i] = yd[i] > 0 ? gd[i] : neg * gd[i];
    return out;
  });
}
