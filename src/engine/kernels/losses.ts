/**
 * Fused mean losses over two same-shape tensors a (prediction) and b (target). The forward is a
 * chunked reduction of term(a, b) over the flat tensor (chunked-reduce.ts: partials, then a small
 * second pass); the backward is one elementwise kernel that writes the gradient of a, of b, or of
 * both, reading the incoming scalar gradient directly (no broadcast tensor is made).
 */
import { channelOffsets, walkFields, type ChunkedReduceSpec } from './chunked-reduce.js';
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelSource } from './bindings.js';

/** WGSL helpers the loss expressions may call. Sigmoid never exponentiates a positive argument. */
const lossHelpers = `
fn sigmoidStable(x: f32) -> f32 { return select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0); }`;

/** Partial sums of term(a, b); `scale` (1/n when one chunk is the whole tensor, else 1) applies at the store. */
export function lossPartialSpec(term: string): ChunkedReduceSpec {
  return {
    inputs: ['A', 'B'],
    outputs: ['Part'],
    uniform: 'P',
    decls: `
struct P { ${walkFields}, scale: f32, _a: u32, _b: u32, _c: u32 }
${channelOffsets}
${lossHelpers}
fn term(a: f32, b: f32) -> f32 { return ${term}; }`,
    type: 'f32',
    identity: '0.0',
    combine: 'return a + b;',
    passes: [{ value: 'term(A[at], B[at])' }],
    store: 'Part[slot] = tot0 * u.scale;',
  };
}

/**
 * dA = da(a, b, g) and/or dB = db(a, b, g), with g = dLoss · scale (scale = 1/n of the mean).
 * Each invocation takes `v` consecutive elements (v = 4 needs n % 4 = 0): on a CPU adapter the
 * per-invocation cost and the read of the scalar gradient are then paid once per four elements.
 */
export function lossBackwardKernel(da: string | null, db: string | null, wg: number, v: number): KernelSource {
  const outs = [da && ['DA', da], db && ['DB', db]].filter((o): o is [string, string] => !!o);
  return {
    inputs: ['A', 'B', 'G'],
    outputs: outs.map(([name]) => name),
    uniform: 'P',
    code: () => `
struct P { n: u32, _p: u32, scale: f32, _q: u32 }
${lossHelpers}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i0 = (${linearIndex(wg)}) * ${v}u;
  if (i0 >= u.n) { return; }
  let g = G[0] * u.scale;
  for (var e = 0u; e < ${v}u; e++) {
    let i = i0 + e;
    let a = A[i]; let b = B[i];
    ${outs.map(([name, expr]) => `${name}[i] = ${expr};`).join('\n    ')}
  }
}`,
  };
}
