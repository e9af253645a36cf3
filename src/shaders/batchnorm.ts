/**
 * BatchNorm2d kernels. A tensor [N, C, H, W] is read as [N, C, inner] with inner = H·W, so
 * element (n, c, k) sits at (n·C + c)·inner + k.
 *
 * Per-channel reductions (batch statistics, and the two sums of the backward) give each channel
 * one workgroup: its threads walk r = n·inner + k in steps of WG (consecutive threads read
 * consecutive addresses inside a row) and combine in a shared-memory tree.
 * The statistics are packed as one [2, C] tensor: row 0 the mean, row 1 1/sqrt(var + eps).
 */
import { gridBuiltins, linearIndex } from './common.js';

const shapeParams = `struct P { n: u32, c: u32, inner: u32, count: u32, eps: f32, momentum: f32, unbias: f32, _pad: u32 }`;

/** Channel index of workgroup (wid, nwg), offset of its r-th element, and a vec2 tree sum. */
function channelHelpers(wg: number): string {
  return `
var<workgroup> part: array<vec2<f32>, ${wg}>;
fn channelOf(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }
fn offsetOf(c: u32, r: u32) -> u32 {
  let n = r / u.inner;
  return (n * u.c + c) * u.inner + (r - n * u.inner);
}
// Every thread must call this (it holds barriers); all of them get the workgroup total.
fn treeSum(lid: u32, v: vec2<f32>) -> vec2<f32> {
  part[lid] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] = part[lid] + part[lid + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier(); // nobody may overwrite part[0] before everyone has read it
  return total;
}
`;
}

const reduceBuiltins = `@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32`;

/**
 * Training statistics. Two passes over the channel (mean first, then the squared deviations from
 * it) avoid the cancellation of E[x²] − E[x]². Also moves the running statistics in place:
 * running = (1 − m)·running + m·batch, with the unbiased variance (count / (count − 1)) as PyTorch.
 */
export function batchStatsWGSL(wg: number): string {
  return `
${shapeParams}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> RunMean: array<f32>;
@group(0) @binding(3) var<storage, read_write> RunVar: array<f32>;
@group(0) @binding(4) var<uniform> u: P;
${channelHelpers(wg)}
@compute @workgroup_size(${wg})
fn main(${reduceBuiltins}) {
  let c = channelOf(wid, nwg);
  let valid = c < u.c; // grids that spill into y have a few spare workgroups
  var acc = 0.0;
  if (valid) { for (var r = lid; r < u.count; r += ${wg}u) { acc += X[offsetOf(c, r)]; } }
  let mean = treeSum(lid, vec2<f32>(acc, 0.0)).x / f32(u.count);
  var dev = 0.0;
  if (valid) {
    for (var r = lid; r < u.count; r += ${wg}u) { let d = X[offsetOf(c, r)] - mean; dev += d * d; }
  }
  let variance = treeSum(lid, vec2<f32>(dev, 0.0)).x / f32(u.count);
  if (lid == 0u && valid) {
    Stats[c] = mean;
    Stats[u.c + c] = inverseSqrt(variance + u.eps);
    RunMean[c] = (1.0 - u.momentum) * RunMean[c] + u.momentum * mean;
    RunVar[c] = (1.0 - u.momentum) * RunVar[c] + u.momentum * variance * u.unbias;
  }
}`;
}

/** Eval statistics: the running mean and 1/sqrt(running var + eps), one thread per channel. */
export function runningStatsWGSL(wg: number): string {
  return `
${shapeParams}
@group(0) @binding(0) var<storage, read> RunMean: array<f32>;
@group(0) @binding(1) var<storage, read> RunVar: array<f32>;
@group(0) @binding(2) var<storage, read_write> Stats: array<f32>;
@group(0) @binding(3) var<uniform> u: P;
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let c = ${linearIndex(wg)};
  if (c >= u.c) { return; }
  Stats[c] = RunMean[c];
  Stats[u.c + c] = inverseSqrt(RunVar[c] + u.eps);
}`;
}

/** y = (x − mean[c])·invstd[c]·γ[c] + β[c], one thread per element. */
export function normalizeWGSL(wg: number): string {
  return `
${shapeParams}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> Stats: array<f32>;
@group(0) @binding(2) var<storage, read> Gamma: array<f32>;
@group(0) @binding(3) var<storage, read> Beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
@group(0) @binding(5) var<uniform> u: P;
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let c = (i / u.inner) % u.c;
  Y[i] = (X[i] - Stats[c]) * Stats[u.c + c] * Gamma[c] + Beta[c];
}`;
}

/** Per channel: Σg (= dβ) and Σg·x̂ (= dγ), with x̂ = (x − mean)·invstd. */
export function gradSumsWGSL(wg: number): string {
  return `
${shapeParams}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> Stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> SumG: array<f32>;
@group(0) @binding(4) var<storage, read_write> SumGXhat: array<f32>;
@group(0) @binding(5) var<uniform> u: P;
${channelHelpers(wg)}
@compute @workgroup_size(${wg})
fn main(${reduceBuiltins}) {
  let c = channelOf(wid, nwg);
  let valid = c < u.c;
  var acc = vec2<f32>(0.0, 0.0);
  if (valid) {
    let mean = Stats[c];
    let invstd = Stats[u.c + c];
    for (var r = lid; r < u.count; r += ${wg}u) {
      let o = offsetOf(c, r);
      let g = G[o];
      acc += vec2<f32>(g, g * (X[o] - mean) * invstd);
    }
  }
  let total = treeSum(lid, acc);
  if (lid == 0u && valid) {
    SumG[c] = total.x;
    SumGXhat[c] = total.y;
  }
}`;
}

/**
 * dx. With batch statistics the mean and variance depend on x, which gives
 *   dx = γ·invstd · (g − Σg/M − x̂·Σ(g·x̂)/M)   (M = N·H·W, the count per channel);
 * with running statistics they are constants and dx = γ·invstd·g.
 */
export function inputGradWGSL(wg: number, training: boolean): string {
  const sums = training
    ? `@group(0) @binding(4) var<storage, read> SumG: array<f32>;
@group(0) @binding(5) var<storage, read> SumGXhat: array<f32>;
@group(0) @binding(6) var<storage, read_write> DX: array<f32>;
@group(0) @binding(7) var<uniform> u: P;`
    : `@group(0) @binding(4) var<storage, read_write> DX: array<f32>;
@group(0) @binding(5) var<uniform> u: P;`;
  const body = training
    ? `let m = f32(u.count);
  let xhat = (X[i] - Stats[c]) * invstd;
  DX[i] = Gamma[c] * invstd * (G[i] - SumG[c] / m - xhat * SumGXhat[c] / m);`
    : `DX[i] = Gamma[c] * invstd * G[i];`;
  return `
${shapeParams}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> Stats: array<f32>;
@group(0) @binding(3) var<storage, read> Gamma: array<f32>;
${sums}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let c = (i / u.inner) % u.c;
  let invstd = Stats[u.c + c];
  ${body}
}`;
}
