/**
 * checkOp: run an op on the real adapter, compare its forward with a float64 reference, then
 * compare the gradient of sum(out · W) for random W with central finite differences of the
 * reference. Environment-agnostic (no test framework inside) so the browser suite runs it too.
 */
import { backward, tidy, Tensor, Rng } from '../../src/engine/index.js';
import type { RefArray } from '../../src/engine/testing.js';

export interface InputSpec {
  shape: number[];
  /** How to draw values: normal (default), positive (for log/sqrt/div), or explicit values. */
  init?: 'normal' | 'positive' | 'uniform' | number[];
  /** Whether to check this input's gradient (default true). */
  grad?: boolean;
}

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  gpu: (...xs: Tensor[]) => Tensor;
  ref: (...xs: RefArray[]) => RefArray;
  /** Tolerances: |gpu - ref| ≤ atol + rtol·|ref|. */
  atol?: number;
  rtol?: number;
  gradAtol?: number;
  gradRtol?: number;
  eps?: number;
  seed?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  forwardMaxErr: number;
  gradMaxErr: number[];
  message: string;
}

function draw(spec: InputSpec, rng: Rng): Float64Array {
  const n = spec.shape.reduce((p, d) => p * d, 1);
  if (Array.isArray(spec.init)) return Float64Array.from(spec.init);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Values are rounded to f32 so the GPU and the reference see the same inputs.
    const v = spec.init === 'positive' ? 0.5 + 1.5 * rng.next() : spec.init === 'uniform' ? rng.uniform(-1, 1) : rng.normal();
    out[i] = Math.fround(v);
  }
  return out;
}

function compare(gpu: Float32Array, want: Float64Array, atol: number, rtol: number) {
  let worst = 0,
    at = -1,
    excess = -Infinity;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(gpu[i] - want[i]);
    const e = err - (atol + rtol * Math.abs(want[i]));
    if (Number.isNaN(gpu[i]) !== Number.isNaN(want[i]) || e > excess) {
      excess = Number.isNaN(gpu[i]) ? Infinity : e;
      at = i;
    }
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return { worst, ok: excess <= 0, at };
}

export async function checkOp(c: OpCase): Promise<CheckResult> {
  const rng = new Rng(c.seed ?? 1234);
  const xs = c.inputs.map((s) => ({ shape: s.shape, data: draw(s, rng) }));
  const atol = c.atol ?? 1e-4,
    rtol = c.rtol ?? 1e-4;
  const gAtol = c.gradAtol ?? 2e-3,
    gRtol = c.gradRtol ?? 2e-3;
  const want = c.ref(...xs);
  const wRng = new Rng((c.seed ?? 1234) + 1);
  const weights = Float64Array.from(want.data, () => Math.fround(wRng.uniform(-1, 1)));

  const inputs = xs.map((x, i) => {
    const t = Tensor.fromArray(Float32Array.from(x.data), x.shape);
    t.requiresGrad = c.inputs[i].grad !== false;
    return t;
  });
  const problems: string[] = [];
  let forwardMaxErr: number;
  const gradMaxErr: number[] = [];
  try {
    const out = tidy(() => c.gpu(...inputs));
    const got = await out.read();
    if (out.shape.join() !== want.shape.join()) problems.push(`forward shape [${out.shape}] != reference [${want.shape}]`);
    const f = compare(got, want.data, atol, rtol);
    forwardMaxErr = f.worst;
    if (!f.ok) problems.push(`forward: max err ${f.worst.toExponential(2)} (at ${f.at}: gpu ${got[f.at]} vs ref ${want.data[f.at]})`);
    if (inputs.some((t) => t.requiresGrad)) {
      const w = Tensor.fromArray(Float32Array.from(weights), out.shape);
      tidy(() => backward(out, w));
      w.dispose();
      for (let k = 0; k < inputs.length; k++) {
        if (!inputs[k].requiresGrad) {
          gradMaxErr.push(0);
          continue;
        }
        const g = inputs[k].grad;
        if (!g) {
          problems.push(`input ${k}: no gradient`);
          gradMaxErr.push(Infinity);
          continue;
        }
        const gotG = await g.read();
        const fd = finiteDiff(c, xs, k, weights);
        const r = compare(gotG, fd, gAtol, gRtol);
        gradMaxErr.push(r.worst);
        if (!r.ok) problems.push(`grad of input ${k}: max err ${r.worst.toExponential(2)} (at ${r.at}: gpu ${gotG[r.at]} vs fd ${fd[r.at]})`);
      }
    }
    out.dispose();
  } finally {
    for (const t of inputs) t.dispose();
  }
  return { name: c.name, ok: problems.length === 0, forwardMaxErr, gradMaxErr, message: problems.join('; ') || 'ok' };
}

/** d/dx_k of sum(ref(x) · W) by central differences in float64. */
function finiteDiff(c: OpCase, xs: RefArray[], k: number, w: Float64Array): Float64Array {
  const eps = c.eps ?? 1e-5;
  const x = xs[k];
  const out = new Float64Array(x.data.length);
  const loss = () => {
    const y = c.ref(...xs).data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * w[i];
    return s;
  };
  for (let i = 0; i < x.data.length; i++) {
    const keepV = x.data[i];
    x.data[i] = keepV + eps;
    const up = loss();
    x.data[i] = keepV - eps;
    const down = loss();
    x.data[i] = keepV;
    out[i] = (up - down) / (2 * eps);
  }
  return out;
}

/**
 * The gradient a loss test checks: at each listed index of x, the central difference of the float64
 * reference `f` (step 1e-3, as the losses' tests use), for comparison with the engine's gradient.
 */
export function centralDifferences(f: (x: Float64Array) => number, x: Float64Array, indices: readonly number[], step = 1e-3): number[] {
  return indices.map((i) => {
    const plus = Float64Array.from(x),
      minus = Float64Array.from(x);
    plus[i] += step;
    minus[i] -= step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}
