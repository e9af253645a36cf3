/**
 * The elementwise tables' WGSL expressions (elementwise.ts, losses.ts) compiled into JavaScript
 * loops for the CPU backend, so one table still serves both backends. The expressions use only
 * arithmetic, comparisons, `&&`, float literals and WGSL builtins, all of which read the same in
 * JavaScript once the builtins below are in scope. Each op gets one whole generated loop (the
 * builtins are small functions that the JIT inlines), cached by its expression.
 *
 * Semantics next to WGSL's:
 * - Values are f64 inside an expression and rounded to f32 at the store, so a result is within
 *   an ulp or so of the GPU's; scalar parameters are rounded to f32 first, as the uniform holds them.
 * - min/max/clamp propagate NaN (JavaScript's Math.min/max), as PyTorch and the references do;
 *   WGSL leaves NaN operands to the implementation.
 * - pow is Math.pow: a negative base with an integral exponent is finite (as in the references
 *   and PyTorch), where WGSL's pow is undefined for negative bases.
 * - sign(0) = 0 and select(f, t, c) = c ? t : f, as in WGSL.
 */
const builtins = `
const exp = Math.exp, log = Math.log, sqrt = Math.sqrt, abs = Math.abs, sign = Math.sign, tanh = Math.tanh;
const pow = Math.pow, min = Math.min, max = Math.max;
const clamp = (x, lo, hi) => Math.min(Math.max(x, lo), hi);
const select = (f, t, c) => (c ? t : f);
// Never exponentiates a positive argument (losses.ts' WGSL helper of the same name).
const sigmoidStable = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
`;

const cache = new Map<string, unknown>();

function compile<F>(key: string, body: () => string): F {
  let f = cache.get(key);
  if (!f) {
    f = new Function(`"use strict";${builtins}\nreturn ${body()};`)();
    cache.set(key, f);
  }
  return f as F;
}

const uses = (expr: string, name: string) => new RegExp(`\\b${name}\\b`).test(expr);

/** `const v = V[i];` for each array variable the expression reads. */
function reads(expr: string, arrays: readonly string[], index: (k: number) => string): string {
  return arrays.map((v, k) => (uses(expr, v) ? `const ${v} = V${k}[${index(k)}];` : '')).join(' ');
}

/**
 * out[i] = expr for i < n, where array variable k (at most three) reads Vk[i] and scalar
 * variable k (at most two) is sk. Arrays the expression does not read may be passed empty.
 */
export type MapLoop = (out: Float32Array, n: number, V0: Float32Array, V1: Float32Array, V2: Float32Array, s0: number, s1: number) => void;

export function mapLoop(expr: string, arrays: readonly string[], scalars: readonly string[]): MapLoop {
  return compile(
    `map|${arrays}|${scalars}|${expr}`,
    () => `function (OUT, n, V0, V1, V2, s0, s1) {
  ${scalars.map((s, k) => `const ${s} = s${k};`).join(' ')}
  for (let i = 0; i < n; i++) { ${reads(expr, arrays, () => 'i')} OUT[i] = ${expr}; }
}`,
  );
}

/** Σ_{i<n} expr in f64, array variable k reading Vk[i]: the forward of a fused loss. */
export type SumLoop = (n: number, V0: Float32Array, V1: Float32Array) => number;

export function sumLoop(expr: string, arrays: readonly string[]): SumLoop {
  return compile(
    `sum|${arrays}|${expr}`,
    () => `function (n, V0, V1) {
  let total = 0;
  for (let i = 0; i < n; i++) { ${reads(expr, arrays, () => 'i')} total += ${expr}; }
  return total;
}`,
  );
}

/**
 * The broadcasting binary op: out (contiguous, n elements) = expr(a, b[, g]) with a and b read
 * through strides that are 0 along broadcast axes, g contiguous like out. The iteration
 * (merged axes `sizes`, strides `as`, `bs`) is walked row by row: only row starts need index math.
 */
export type BroadcastLoop = (
  out: Float32Array,
  n: number,
  A: Float32Array,
  B: Float32Array,
  G: Float32Array,
  sizes: readonly number[],
  as: readonly number[],
  bs: readonly number[],
) => void;

export function broadcastLoop(expr: string): BroadcastLoop {
  const g = uses(expr, 'g') ? 'const g = G[o + k];' : '';
  return compile(
    `broadcast|${expr}`,
    () => `function (OUT, n, A, B, G, sizes, as, bs) {
  const last = sizes.length - 1;
  const inner = sizes[last], sa = as[last], sb = bs[last];
  const count = new Array(last).fill(0);
  let a0 = 0, b0 = 0;
  for (let o = 0; o < n; o += inner) {
    for (let k = 0, ia = a0, ib = b0; k < inner; k++, ia += sa, ib += sb) {
      const a = A[ia]; const b = B[ib]; ${g}
      OUT[o + k] = ${expr};
    }
    for (let d = last - 1; d >= 0; d--) {
      a0 += as[d]; b0 += bs[d];
      if (++count[d] < sizes[d]) break;
      a0 -= as[d] * sizes[d]; b0 -= bs[d] * sizes[d]; count[d] = 0;
    }
  }
}`,
  );
}
