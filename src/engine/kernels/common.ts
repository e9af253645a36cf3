/**
 * WGSL snippets shared by kernels. Shapes and strides travel in uniforms as `array<vec4<u32>, 2>`
 * (uniform arrays need a 16-byte element stride), which caps tensor rank at 8.
 */
export const MAX_RANK = 8;

/** Read element i of a packed `array<vec4<u32>, 2>` uniform field. */
export const at8 = /* wgsl */ `
fn at8(v: array<vec4<u32>, 2>, i: u32) -> u32 { return v[i / 4u][i % 4u]; }
`;

/**
 * Statements that walk flat index `index` row-major over an iteration shape given by its strides
 * (`iterStr`, a packed uniform field) and sum, per target, coordinate · that target's stride: the
 * offsets of one element in tensors read or written through other strides (0 along a broadcast
 * axis). One loop serves every target, so each axis costs one division however many there are.
 * Each target is [variable, start value, packed strides]; the variables are left declared.
 */
export function stridedOffsets(index: string, rank: string, iterStr: string, targets: [string, string, string][]): string {
  return `var rem = ${index};${targets.map(([v, start]) => ` var ${v} = ${start};`).join('')}
  for (var axis = 0u; axis < ${rank}; axis++) {
    let st = at8(${iterStr}, axis);
    let coord = rem / st;
    rem -= coord * st;
${targets.map(([v, , str]) => `    ${v} += coord * at8(${str}, axis);`).join('\n')}
  }`;
}

/**
 * Invocation index for 1-D work split over a 2-D grid: a dispatch has at most 65535 workgroups
 * per dimension, so large tensors spill into y.
 */
export function linearIndex(wg: number): string {
  return `gid.x + gid.y * (nwg.x * ${wg}u)`;
}

export const gridBuiltins = `@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>`;

/**
 * Entry point of a per-channel elementwise kernel over [N, C, inner] (uniform fields n, c, inner):
 * each invocation takes `v` consecutive elements of one channel (v = 4 needs inner % 4 = 0), so the
 * channel index (a division and a modulo, emulated per lane on a CPU adapter) and the channel's
 * parameters (`channelLoads`, using c) are fetched once per v elements. `body` writes element i.
 */
export function perChannelMain(wg: number, v: number, channelLoads: string, body: string): string {
  return `
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i0 = (${linearIndex(wg)}) * ${v}u;
  if (i0 >= u.n) { return; }
  let c = (i0 / u.inner) % u.c;
  ${channelLoads}
  for (var e = 0u; e < ${v}u; e++) {
    let i = i0 + e;
    ${body}
  }
}`;
}

/** Elements per invocation for perChannelMain. */
export const perChannelWidth = (inner: number) => (inner % 4 === 0 ? 4 : 1);
