/**
 * BatchNorm2d kernels. A tensor [N, C, H, W] is read as [N, C, inner] with inner = H·W, so
 * element (n, c, k) sits at (n·C + c)·inner + k.
 *
 * The per-channel reductions (batch statistics, and the two sums of the backward) are chunked
 * reductions (chunked-reduce.ts): each work item reduces one chunk of one channel, and a second
 * small pass combines the chunks. The statistics are packed as one [2, C] tensor: row 0 the mean,
 * row 1 1/sqrt(var + eps).
 */
import { gridBuiltins, linearIndex, perChannelMain } from './common.js';
import { channelOffsets, walkFields, type ChunkedReduceSpec } from './chunked-reduce.js';
import type { KernelSource } from './bindings.js';

const shapeParams = `struct P { n: u32, c: u32, inner: u32, count: u32, eps: f32, momentum: f32, unbias: f32, _pad: u32 }`;

/**
 * Per chunk of a channel: its sum and the squared deviations from its own mean, read twice while
 * the chunk is in cache. Deviations from the chunk's mean avoid the cancellation of E[x²] − E[x]²
 * (inputs far from 0); the finalize kernel merges the chunks exactly (Chan et al.).
 */
export function chunkMomentsSpec(): ChunkedReduceSpec {
  return {
    inputs: ['X'],
    outputs: ['PartSum', 'PartM2'],
    uniform: 'P',
    decls: `
struct P { ${walkFields} }
${channelOffsets}
fn dev2(v: f32, m: f32) -> f32 { let d = v - m; return d * d; }`,
    type: 'f32',
    identity: '0.0',
    combine: 'return a + b;',
    passes: [{ value: 'X[at]', after: 'let chunkMean = tot0 / f32(max(len, 1u));' }, { value: 'dev2(X[at], chunkMean)' }],
    store: 'PartSum[slot] = tot0; PartM2[slot] = tot1;',
  };
}

/**
 * Training statistics from the chunk moments, one thread per channel: mean = Σ sums / count,
 * M2 = Σ (M2_j + n_j · (mean_j − mean)²). Also moves the running statistics in place:
 * running = (1 − m)·running + m·batch, with the unbiased variance (count / (count − 1)) as PyTorch.
 */
export function batchStatsKernel(wg: number): KernelSource {
  return {
    inputs: ['PartSum', 'PartM2'],
    outputs: ['Stats', 'RunMean', 'RunVar'],
    uniform: 'F',
    code: () => `
struct F { c: u32, count: u32, chunkLen: u32, chunks: u32, eps: f32, momentum: f32, unbias: f32, _pad: u32 }
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let c = ${linearIndex(wg)};
  if (c >= u.c) { return; }
  var total = 0.0;
  for (var j = 0u; j < u.chunks; j++) { total += PartSum[j * u.c + c]; }
  let mean = total / f32(u.count);
  var m2 = 0.0;
  for (var j = 0u; j < u.chunks; j++) {
    let n = f32(min(u.chunkLen, u.count - j * u.chunkLen));
    let d = PartSum[j * u.c + c] / n - mean;
    m2 += PartM2[j * u.c + c] + n * d * d;
  }
  let variance = m2 / f32(u.count);
  Stats[c] = mean;
  Stats[u.c + c] = inverseSqrt(variance + u.eps);
  RunMean[c] = (1.0 - u.momentum) * RunMean[c] + u.momentum * mean;
  RunVar[c] = (1.0 - u.momentum) * RunVar[c] + u.momentum * variance * u.unbias;
}`,
  };
}

/** Eval statistics: the running mean and 1/sqrt(running var + eps), one thread per channel. */
export function runningStatsKernel(wg: number): KernelSource {
  return {
    inputs: ['RunMean', 'RunVar'],
    outputs: ['Stats'],
    uniform: 'P',
    code: () => `
${shapeParams}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let c = ${linearIndex(wg)};
  if (c >= u.c) { return; }
  Stats[c] = RunMean[c];
  Stats[u.c + c] = inverseSqrt(RunVar[c] + u.eps);
}`,
  };
}

/** y = x·scale + shift per channel, with scale = invstd·γ and shift = β − mean·scale. */
export function normalizeKernel(wg: number, v: number): KernelSource {
  return {
    inputs: ['X', 'Stats', 'Gamma', 'Beta'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
${shapeParams}
${perChannelMain(wg, v, 'let scale = Stats[u.c + c] * Gamma[c]; let shift = Beta[c] - Stats[c] * scale;', 'Y[i] = X[i] * scale + shift;')}`,
  };
}

/** Per chunk of a channel: Σg (→ dβ) and Σg·x̂ (→ dγ), with x̂ = (x − mean)·invstd. */
export function gradSumsSpec(): ChunkedReduceSpec {
  return {
    inputs: ['X', 'G', 'Stats'],
    outputs: ['PartG', 'PartGXhat'],
    uniform: 'P',
    decls: `
struct P { ${walkFields} }
${channelOffsets}
fn terms(at: u32, mean: f32, invstd: f32) -> vec2<f32> { let g = G[at]; return vec2<f32>(g, g * (X[at] - mean) * invstd); }`,
    type: 'vec2<f32>',
    identity: 'vec2<f32>(0.0)',
    combine: 'return a + b;',
    setup: 'let mean = Stats[o]; let invstd = Stats[u.nOut + o];',
    passes: [{ value: 'terms(at, mean, invstd)' }],
    store: 'PartG[slot] = tot0.x; PartGXhat[slot] = tot0.y;',
  };
}

/**
 * dx. With batch statistics the mean and variance depend on x, which gives
 *   dx = γ·invstd · (g − Σg/M − x̂·Σ(g·x̂)/M)   (M = N·H·W, the count per channel);
 * with running statistics they are constants and dx = γ·invstd·g.
 */
export function inputGradKernel(wg: number, v: number, training: boolean): KernelSource {
  const loads = training
    ? `let invstd = Stats[u.c + c]; let mean = Stats[c]; let k = Gamma[c] * invstd;
  let gMean = SumG[c] / f32(u.count); let slope = SumGXhat[c] / f32(u.count) * invstd;`
    : 'let k = Gamma[c] * Stats[u.c + c];';
  const body = training ? 'DX[i] = k * (G[i] - gMean - (X[i] - mean) * slope);' : 'DX[i] = k * G[i];';
  return {
    inputs: training ? ['X', 'G', 'Stats', 'Gamma', 'SumG', 'SumGXhat'] : ['X', 'G', 'Stats', 'Gamma'],
    outputs: ['DX'],
    uniform: 'P',
    code: () => `
${shapeParams}
${perChannelMain(wg, v, loads, body)}`,
  };
}
