/**
 * PReLU kernels: y = x for x > 0, α[c]·x otherwise. The input is read as [N, C, inner] (inner =
 * product of the axes after the channel axis) so the channel of element i is (i / inner) % C; a
 * single shared α is the case C = 1, inner = everything after the batch axis.
 */
import { perChannelMain } from './common.js';
import { channelOffsets, walkFields, type ChunkedReduceSpec } from './chunked-reduce.js';
import type { KernelSource } from './bindings.js';

const params = `struct P { n: u32, c: u32, inner: u32, count: u32 }`;

/** Forward (`backward` false: Y from X) or input gradient (`backward` true: DX from X and G). */
export function preluKernel(wg: number, v: number, backward: boolean): KernelSource {
  // PyTorch's convention at the kink: x = 0 takes the negative branch (gradient α, dα gets 0·g).
  const expr = backward ? 'select(a * G[i], G[i], x > 0.0)' : 'select(a * x, x, x > 0.0)';
  return {
    inputs: backward ? ['X', 'Alpha', 'G'] : ['X', 'Alpha'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
${params}
${perChannelMain(
  wg,
  v,
  'let a = Alpha[c];',
  `let x = X[i];
    Y[i] = ${expr};`,
)}`,
  };
}

/**
 * dα[c] = Σ g·x over the elements of channel c with x ≤ 0, as a chunked reduction over the
 * [N, C, inner] layout (one partial per chunk of a channel; the caller sums the partials).
 */
export function preluAlphaGradSpec(): ChunkedReduceSpec {
  return {
    inputs: ['X', 'G'],
    outputs: ['Part'],
    uniform: 'P',
    decls: `
struct P { ${walkFields} }
${channelOffsets}
fn term(at: u32) -> f32 { let x = X[at]; return select(G[at] * x, 0.0, x > 0.0); }`,
    type: 'f32',
    identity: '0.0',
    combine: 'return a + b;',
    passes: [{ value: 'term(at)' }],
    store: 'Part[slot] = tot0;',
  };
}
