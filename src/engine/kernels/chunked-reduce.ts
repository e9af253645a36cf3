/**
 * One template for every reduction in the engine (sum/mean/max, conv bias gradients, batch-norm
 * statistics and their backward, PReLU's dα, fused losses). A reduction has `nOut` outputs, each
 * over `nRed` elements; element r of output o sits at
 *   baseOffset(o) + outerOffset(r / run) + (r % run) · runStride,
 * i.e. the reduced elements come in runs of `run` equally spaced values (contiguous when
 * runStride = 1). The reduced range is cut into `chunks` chunks of `chunkLen`; one work item
 * reduces one (output, chunk) pair and stores its partial at slot chunk · nOut + output, so a
 * second small pass (or the caller's finalize kernel) combines the partials.
 *
 * Two ways to reduce a work item, chosen per adapter:
 * - registers (CPU adapters such as SwiftShader): one invocation walks its chunk run by run, the
 *   index math done once per run, the accumulator in a register; barriers and workgroup memory
 *   would only add copies on a CPU.
 * - workgroup (GPUs): one workgroup per work item, consecutive threads read consecutive elements
 *   (coalesced) and combine in a shared-memory tree. Only for runStride = 1; callers fall back to
 *   registers otherwise (then consecutive invocations own consecutive outputs, which is coalesced).
 *
 * A spec can run several passes over its chunk (batch norm: the chunk's sum, then its squared
 * deviations from the chunk's mean, while the chunk is still in cache); pass i's result is `tot{i}`.
 */
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelBindings } from './bindings.js';

/** The first eight u32 words of every reduction's uniform struct. */
export const walkFields = 'nOut: u32, nRed: u32, chunkLen: u32, chunks: u32, run: u32, runStride: u32, _w0: u32, _w1: u32';
export const WALK_WORDS = 8;

/**
 * Offsets of the per-channel layout [N, C, inner] (nOut = C channels, run = inner, nRed = N·inner):
 * channel o starts at o·inner and sample q adds q·C·inner. A whole tensor is the case C = N = 1.
 */
export const channelOffsets = `
fn baseOffset(o: u32) -> u32 { return o * u.run; }
fn outerOffset(q: u32) -> u32 { return q * u.nOut * u.run; }`;

export type ReduceVariant = 'registers' | 'workgroup';

export interface ReducePass {
  /** WGSL expression of one element's contribution; `at` is the element's offset. */
  value: string;
  /** Statements after this pass, which may use tot0..tot{i} and `len` (elements in the chunk). */
  after?: string;
}

/** The bindings (uniform `u` of the struct `uniform`) are declared by the engine from the spec. */
export interface ChunkedReduceSpec extends KernelBindings {
  /** `struct P { ${walkFields}, ... }`, `fn baseOffset(o: u32) -> u32` and `fn outerOffset(q: u32) -> u32`. */
  decls: string;
  type: 'f32' | 'vec2<f32>';
  identity: string;
  /** WGSL body of `fn combine(a: T, b: T) -> T`. */
  combine: string;
  /** Statements before the passes (per-output constants); `o` < nOut holds even in idle workgroups. */
  setup?: string;
  passes: ReducePass[];
  /** Statements storing the result; see `o` (output), `j` (chunk), `slot` (j · nOut + o), tot{i}. */
  store: string;
}

function prelude(s: ChunkedReduceSpec): string {
  return `${s.decls}
alias T = ${s.type};
fn combine(a: T, b: T) -> T { ${s.combine} }`;
}

/** Walk the chunk [r0, rEnd) run by run; only the run's start needs the index math. */
function registerPass(p: ReducePass, i: number, s: ChunkedReduceSpec): string {
  return `
  var acc${i}: T = ${s.identity};
  {
    var r = r0;
    var q = r0 / u.run;
    var k = r0 - q * u.run;
    loop {
      if (r >= rEnd) { break; }
      let n = min(u.run - k, rEnd - r);
      var at = base + outerOffset(q) + k * u.runStride;
      for (var t = 0u; t < n; t++) {
        acc${i} = combine(acc${i}, ${p.value});
        at += u.runStride;
      }
      r += n; q += 1u; k = 0u;
    }
  }
  let tot${i} = acc${i};
  ${p.after ?? ''}`;
}

export function chunkedReduceRegistersWGSL(s: ChunkedReduceSpec, wg: number): string {
  return `${prelude(s)}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let w = ${linearIndex(wg)};
  if (w >= u.nOut * u.chunks) { return; }
  let o = w % u.nOut;
  let j = w / u.nOut;
  let slot = w;
  let r0 = j * u.chunkLen;
  let rEnd = min(r0 + u.chunkLen, u.nRed);
  let len = rEnd - r0;
  let base = baseOffset(o);
  ${s.setup ?? ''}
  ${s.passes.map((p, i) => registerPass(p, i, s)).join('\n')}
  ${s.store}
}`;
}

/** Threads stride through the chunk; every thread reaches every barrier. */
function workgroupPass(p: ReducePass, i: number, s: ChunkedReduceSpec, wg: number): string {
  return `
  var acc${i}: T = ${s.identity};
  for (var r = r0 + lid; r < rEnd; r += ${wg}u) {
    let q = r / u.run;
    let at = base + outerOffset(q) + (r - q * u.run) * u.runStride;
    acc${i} = combine(acc${i}, ${p.value});
  }
  let tot${i} = treeCombine(lid, acc${i});
  ${p.after ?? ''}`;
}

export function chunkedReduceWorkgroupWGSL(s: ChunkedReduceSpec, wg: number): string {
  return `${prelude(s)}
var<workgroup> part: array<T, ${wg}>;
// All threads call this (it holds barriers) and all of them get the workgroup's total.
fn treeCombine(lid: u32, v: T) -> T {
  part[lid] = v;
  workgroupBarrier();
  for (var h = ${wg / 2}u; h > 0u; h >>= 1u) {
    if (lid < h) { part[lid] = combine(part[lid], part[lid + h]); }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier(); // nobody may overwrite part[0] before everyone has read it
  return total;
}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * nwg.x;
  // Grids that spill into y have spare workgroups: they read nothing but still meet the barriers.
  let valid = w < u.nOut * u.chunks;
  let o = w % u.nOut;
  let j = w / u.nOut;
  let slot = w;
  let r0 = j * u.chunkLen;
  let rEnd = select(r0, min(r0 + u.chunkLen, u.nRed), valid);
  let len = rEnd - r0;
  let base = baseOffset(o);
  ${s.setup ?? ''}
  ${s.passes.map((p, i) => workgroupPass(p, i, s, wg)).join('\n')}
  if (lid == 0u && valid) {
    ${s.store}
  }
}`;
}

export function chunkedReduceWGSL(s: ChunkedReduceSpec, variant: ReduceVariant, wg: number): string {
  return variant === 'registers' ? chunkedReduceRegistersWGSL(s, wg) : chunkedReduceWorkgroupWGSL(s, wg);
}
