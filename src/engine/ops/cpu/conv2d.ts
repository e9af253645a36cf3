/**
 * conv2d on the CPU backend: the forward and both gradients as implicit-im2col GEMMs in
 * WebAssembly (cpu/assembly/conv.ts). The input gradient is the forward kernel run on dY with the
 * weights flipped and transposed ([C, O, kh, kw]), padding k − 1 − p, and dY read "dilated" by
 * the stride (zeros between its pixels), so one kernel serves every stride.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { convForwardJob, convWgradJob, packA, type ConvJobGeometry } from '../../cpu/jobs.js';
import type { ConvGeometry } from '../conv2d.js';
import type { ConvActivation } from '../../../shaders/conv2d.js';

const offset = (t: Tensor) => t.storage.block.offset;

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
      if (act === 'relu') for (let i = base; i < base + P; i++) { const v = y[i] + b; y[i] = v > 0 ? v : 0; }
      else if (act === 'leakyRelu') for (let i = base; i < base + P; i++) { const v = y[i] + b; y[i] = v > 0 ? v : alpha * v; }
      else for (let i = base; i < base + P; i++) y[i] += b;
    }
}

export function conv2dForwardCpu(eng: CpuEngine, x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry,
  act: ConvActivation, alpha: number): Tensor {
  return eng.kernel('conv2d', () => {
    const y = Tensor.empty([g.N, g.O, g.OH, g.OW]);
    const K = g.C * g.kh * g.kw;
    const ap = packA(eng, offset(w), K, 1, g.O, K);
    try {
      convForwardJob(eng, forwardGeometry(g), g.N, offset(x), ap, offset(y));
    } finally {
      eng.heap.release(ap);
    }
    epilogue(y.data, bias ? bias.data : null, g.N, g.O, g.OH * g.OW, act, alpha);
    return y;
  }, 2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw);
}

/** dX [N, C, H, W] from dY [N, O, OH, OW]. */
export function conv2dDgradCpu(eng: CpuEngine, dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  return eng.kernel('conv2d_dgrad', () => {
    const dx = Tensor.empty([g.N, g.C, g.H, g.W]);
    const kk = g.kh * g.kw, K = g.O * kk;
    // Wt[c, o, a, b] = W[o, c, kh − 1 − a, kw − 1 − b]
    const flipped = eng.heap.alloc(g.C * K * 4, 'cpu flipped weights');
    const wt = eng.heap.view(flipped, g.C * K), wd = w.data;
    for (let o = 0; o < g.O; o++)
      for (let c = 0; c < g.C; c++)
        for (let t = 0; t < kk; t++) wt[c * K + o * kk + (kk - 1 - t)] = wd[(o * g.C + c) * kk + t];
    const ap = packA(eng, flipped.offset, K, 1, g.C, K);
    eng.heap.release(flipped);
    try {
      convForwardJob(eng, {
        C: g.O, H: g.OH, W: g.OW, O: g.C, kh: g.kh, kw: g.kw, stride: 1,
        pt: g.kh - 1 - g.pt, pl: g.kw - 1 - g.pl, OH: g.H, OW: g.W, dil: g.stride,
      }, g.N, offset(dy), ap, offset(dx));
    } finally {
      eng.heap.release(ap);
    }
    return dx;
  }, 2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw);
}

/** dW [O, C, kh, kw]. */
export function conv2dWgradCpu(eng: CpuEngine, x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  return eng.kernel('conv2d_wgrad', () => {
    const dw = Tensor.empty([g.O, g.C, g.kh, g.kw]);
    convWgradJob(eng, forwardGeometry(g), g.N, offset(x), offset(dy), offset(dw));
    return dw;
  }, 2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw);
}

/** dL/d(pre-activation) = dL/dy · act'(y), read off the saved output's sign. */
export function maskGradientCpu(eng: CpuEngine, y: Tensor, g: Tensor, act: ConvActivation, alpha: number): Tensor {
  return eng.kernel(`conv2d_${act}_mask`, () => {
    const out = Tensor.empty(g.shape);
    const yd = y.data, gd = g.data, od = out.data;
    const neg = act === 'relu' ? 0 : alpha;
    for (let i = 0; i < od.length; i++) od[i] = yd[i] > 0 ? gd[i] : neg * gd[i];
    return out;
  });
}
