/**
 * Fused optimizer updates on the CPU backend, the WGSL ones (kernels/optim.ts) step for step in
 * float32: every intermediate is rounded with Math.fround where the shader rounds, and the
 * hyper-parameters are rounded as the uniforms and the step-scalar buffer hold them, so both
 * backends take the same steps (up to the GPU's fused multiply-adds).
 */
import type { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';

const f = Math.fround;

export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
}

/** `scalars` = [lr, 1 / (1 − β1^t), 1 / (1 − β2^t)] as f32, like the step's storage buffer. */
export function adamUpdateCpu(eng: CpuEngine, p: Tensor, grad: Tensor, m: Tensor, v: Tensor, scalars: Float32Array, h: AdamHyper): void {
  eng.kernel(
    'adam',
    () => {
      const W = p.data,
        G = grad.data,
        M = m.data,
        V = v.data;
      const [lr, c1, c2] = scalars;
      const b1 = f(h.beta1),
        b2 = f(h.beta2),
        eps = f(h.eps),
        wd = f(h.weightDecay);
      const keep1 = f(1 - b1),
        keep2 = f(1 - b2),
        shrink = f(1 - f(lr * wd));
      for (let i = 0; i < W.length; i++) {
        let w = W[i],
          g = G[i];
        if (h.decoupled)
          w = f(w * shrink); // AdamW
        else g = f(g + f(wd * w)); // Adam with L2
        const mi = f(f(b1 * M[i]) + f(keep1 * g));
        const vi = f(f(b2 * V[i]) + f(f(keep2 * g) * g));
        M[i] = mi;
        V[i] = vi;
        W[i] = f(w - f(f(lr * f(mi * c1)) / f(f(Math.sqrt(f(vi * c2))) + eps)));
      }
    },
    12 * p.size,
    p.size * 4 * 7,
  );
}

export interface SgdHyper {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  first: boolean;
}

/** PyTorch's SGD; `buf` is the momentum buffer (unused without momentum). */
export function sgdUpdateCpu(eng: CpuEngine, p: Tensor, grad: Tensor, buf: Tensor | null, lr32: number, h: SgdHyper): void {
  eng.kernel(
    'sgd',
    () => {
      const W = p.data,
        G = grad.data,
        B = buf && h.momentum ? buf.data : null;
      const mom = f(h.momentum),
        wd = f(h.weightDecay),
        keep = f(1 - f(h.dampening));
      for (let i = 0; i < W.length; i++) {
        const w = W[i];
        let d = f(G[i] + f(wd * w));
        if (B) {
          // The first step initialises the buffer with the gradient itself.
          const b = h.first ? d : f(f(mom * B[i]) + f(keep * d));
          B[i] = b;
          d = h.nesterov ? f(d + f(mom * b)) : b;
        }
        W[i] = f(w - f(lr32 * d));
      }
    },
    6 * p.size,
    p.size * 4 * 5,
  );
}

/** average ← decay·average + (1 − decay)·weight, in place; decay = 0 copies the weight exactly. */
export function weightAverageCpu(eng: CpuEngine, average: Tensor, weight: Tensor, decay32: number, rest32: number): void {
  eng.kernel(
    'weight_average',
    () => {
      const A = average.data,
        W = weight.data;
      for (let i = 0; i < A.length; i++) A[i] = f(f(decay32 * A[i]) + f(rest32 * W[i]));
    },
    3 * average.size,
    average.size * 4 * 3,
  );
}
