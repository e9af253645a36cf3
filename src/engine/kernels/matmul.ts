/**
 * Matmul kernels: C[z] = op(A[z]) · op(B[z]) (+ bias), with op = identity or transpose, chosen at
 * compile time so that backward passes never materialise a transpose.
 *
 * Two variants, because the two kinds of adapter want opposite things (see tuning.ts):
 * - `registers` (CPU adapters such as SwiftShader): each invocation owns an R × 4V block of C and
 *   streams A and B straight from storage. The block lives in named vec4 registers (an array
 *   would be spilled to memory by SwiftShader's compiler), and the k loop is unrolled by 4 so that
 *   aligned operands load as vec4.
 * - `workgroup` (real GPUs): the workgroup stages a TM × TK slab of A and a TK × TN slab of B in
 *   workgroup memory, then every invocation computes its R × 4V block from there.
 *
 * Layouts (row-major, elements): A is [M, K] or, with transA, [K, M]; B is [K, N] or, with
 * transB, [N, K]; C is [M, N]. Batch z reaches A and B through per-axis batch strides (0 along a
 * broadcast axis) and C through z·M·N.
 *
 * Split-K: when C has too few tiles to fill a GPU, the k range is cut into `splits` chunks of
 * `kChunk` (a multiple of 4, so vec4 alignment survives). Dispatch z then enumerates
 * (batch, chunk) pairs, each writing a partial product to C[batch, chunk]; the caller sums chunks.
 */
import { at8 } from './common.js';
import type { KernelSource } from './bindings.js';

export type BiasMode = 'none' | 'row' | 'col';

/** Kernel variant and tile shape: what a test or benchmark may force, and the adapter otherwise picks. */
export interface MatmulTiles {
  variant: 'registers' | 'workgroup';
  /** Rows (R) and vec4 columns (V) of C per invocation; workgroup size. */
  rows: number;
  vec4Cols: number;
  wgX: number;
  wgY: number;
  /** Depth of the workgroup-memory slab (workgroup variant only). */
  tileK: number;
}

export interface MatmulConfig extends MatmulTiles {
  transA: boolean;
  transB: boolean;
  /** Operands bound as array<vec4<f32>>: only when every vec4 they are read as is 16-byte aligned. */
  aVec: boolean;
  bVec: boolean;
  cVec: boolean;
  /** Bias added in the epilogue: one value per row of C ([M, 1]) or per column ([N]). */
  bias: BiasMode;
}

/** Uniform: M, N, K, batch rank, split-K count and chunk, then batch sizes and A/B batch strides (2×vec4 each). */
const params = `struct P { M: u32, N: u32, K: u32, batchRank: u32, splits: u32, kChunk: u32, _p0: u32, _p1: u32,
  batchSize: array<vec4<u32>, 2>, aBatchStr: array<vec4<u32>, 2>, bBatchStr: array<vec4<u32>, 2> }`;

/** Declarations every matmul kernel starts with (after its bindings): uniforms, readers, batch offsets. */
const preamble = (c: MatmulConfig) => [params, at8, scalarReaders(c), batchOffsets].join('\n');

const range = (n: number) => [...Array(n).keys()];
const lane = (i: number) => 'xyzw'[i];

/** A, B (and Bias) in, C out; an operand is bound as vec4s when the config says it is aligned. */
function bindings(c: MatmulConfig) {
  const t = (name: string, vec: boolean) => (vec ? `${name}: array<vec4<f32>>` : name);
  const inputs = [t('A', c.aVec), t('B', c.bVec)];
  if (c.bias !== 'none') inputs.push('Bias');
  return { inputs, outputs: [t('C', c.cVec)], uniform: 'P' };
}

/** Scalar reads that work whether an operand is bound as f32 or vec4 elements. */
function scalarReaders(c: MatmulConfig): string {
  const read = (name: string, vec: boolean) =>
    vec ? `fn ${name}At(i: u32) -> f32 { return ${name}[i >> 2u][i & 3u]; }` : `fn ${name}At(i: u32) -> f32 { return ${name}[i]; }`;
  return [read('A', c.aVec), read('B', c.bVec)].join('\n');
}

/** Offsets of batch z's A and B matrices: z is decomposed row-major over the batch shape. */
const batchOffsets = `
fn batchOffsets(z: u32) -> vec2<u32> {
  var rem = z / u.splits; var a = 0u; var b = 0u;
  for (var d = i32(u.batchRank) - 1; d >= 0; d--) {
    let s = at8(u.batchSize, u32(d));
    let i = rem % s;
    rem /= s;
    a += i * at8(u.aBatchStr, u32(d));
    b += i * at8(u.bBatchStr, u32(d));
  }
  return vec2<u32>(a, b);
}`;

/**
 * Epilogue shared by both variants: add the bias and store the R × 4V block whose top-left corner
 * is (row0, col0). Out-of-range rows and columns were computed from clamped indices and are dropped.
 */
function epilogue(c: MatmulConfig): string {
  const R = c.rows,
    V = c.vec4Cols;
  const out: string[] = ['  let cBase = z * u.M * u.N;'];
  if (c.bias === 'col') {
    // Clamped reads: a lane past N is never stored.
    for (const v of range(V)) {
      const idx = range(4).map((j) => `Bias[min(col0 + ${4 * v + j}u, u.N - 1u)]`);
      out.push(`  let bias${v} = vec4<f32>(${idx.join(', ')});`);
    }
  }
  for (const r of range(R)) {
    out.push(`  if (row0 + ${r}u < u.M) {`);
    out.push(`    let cRow = cBase + (row0 + ${r}u) * u.N;`);
    if (c.bias === 'row') out.push(`    let rowBias = Bias[row0 + ${r}u];`);
    for (const v of range(V)) {
      let value = `acc${r}_${v}`;
      if (c.bias === 'col') value += ` + bias${v}`;
      if (c.bias === 'row') value += ' + rowBias';
      out.push(`    let firstCol${v} = col0 + ${4 * v}u;`);
      if (c.cVec) {
        // N % 4 == 0, so a vec4 is either wholly inside the row or wholly past its end.
        out.push(`    if (firstCol${v} < u.N) { C[(cRow + firstCol${v}) >> 2u] = ${value}; }`);
      } else {
        out.push(`    { let val = ${value};`);
        for (const j of range(4)) out.push(`      if (firstCol${v} + ${j}u < u.N) { C[cRow + firstCol${v} + ${j}u] = val.${lane(j)}; }`);
        out.push('    }');
      }
    }
    out.push('  }');
  }
  return out.join('\n');
}

const accumulators = (R: number, V: number) =>
  range(R)
    .flatMap((r) => range(V).map((v) => `  var acc${r}_${v} = vec4<f32>(0.0);`))
    .join('\n');

/** acc[r][v] += a(r, kk) · b(kk, v) for one k step, given expressions for the operands. */
function fmaStep(R: number, V: number, aExpr: (r: number) => string, bNames: (v: number) => string): string[] {
  const out: string[] = [];
  for (const r of range(R)) {
    out.push(`    { let a = ${aExpr(r)};`);
    for (const v of range(V)) out.push(`      acc${r}_${v} = fma(vec4<f32>(a), ${bNames(v)}, acc${r}_${v});`);
    out.push('    }');
  }
  return out;
}

/**
 * Register-tiled kernel. Index precomputation happens once per invocation: row and column indices
 * are clamped into range so that the k loop needs no bounds checks, and per-row / per-column base
 * offsets turn each load into one add.
 */
export function matmulRegistersWGSL(c: MatmulConfig): string {
  const R = c.rows,
    V = c.vec4Cols,
    TN = 4 * V;
  const pre: string[] = [];
  for (const r of range(R)) pre.push(`  let rr${r} = min(row0 + ${r}u, u.M - 1u);`);
  for (const j of range(TN)) pre.push(`  let cc${j} = min(col0 + ${j}u, u.N - 1u);`);
  // Scalar base offsets (used by the scalar loads and by the k-remainder loop).
  for (const r of range(R)) pre.push(c.transA ? `  let aS${r} = aBase + rr${r};` : `  let aS${r} = aBase + rr${r} * u.K;`);
  for (const j of range(TN)) pre.push(c.transB ? `  let bS${j} = bBase + cc${j} * u.K;` : `  let bS${j} = bBase + cc${j};`);
  const aStride = c.transA ? 'u.M' : '1u'; // distance between A(m, k) and A(m, k + 1)
  const bStride = c.transB ? '1u' : 'u.N';

  // Main loop body: k advances by 4; loads are vec4 where the layout allows.
  const body: string[] = [];
  let aExpr: (r: number, kk: number) => string;
  if (c.aVec && !c.transA) {
    for (const r of range(R)) body.push(`    let a${r} = A[(aS${r} + k) >> 2u];`);
    aExpr = (r, kk) => `a${r}.${lane(kk)}`;
  } else if (c.aVec && c.transA) {
    // Four consecutive rows of C share one vec4 of A at each k (A is [K, M] and M % 4 == 0).
    for (const kk of range(4)) for (const q of range(R / 4)) body.push(`    let a${kk}_${q} = A[(aS${4 * q} + (k + ${kk}u) * u.M) >> 2u];`);
    aExpr = (r, kk) => `a${kk}_${Math.floor(r / 4)}.${lane(r % 4)}`;
  } else {
    aExpr = (r, kk) => `AAt(aS${r} + (k + ${kk}u) * ${aStride})`;
  }
  let bExpr: (kk: number, v: number) => string;
  if (c.bVec && !c.transB) {
    bExpr = (kk, v) => `B[(bS${4 * v} + (k + ${kk}u) * u.N) >> 2u]`;
  } else if (c.bVec && c.transB) {
    // Each column of C reads a vec4 along k from its row of B ([N, K], K % 4 == 0); the 4 × 4
    // blocks are transposed in registers.
    for (const j of range(TN)) body.push(`    let bt${j} = B[(bS${j} + k) >> 2u];`);
    bExpr = (kk, v) =>
      `vec4<f32>(${range(4)
        .map((j) => `bt${4 * v + j}.${lane(kk)}`)
        .join(', ')})`;
  } else {
    bExpr = (kk, v) =>
      `vec4<f32>(${range(4)
        .map((j) => `BAt(bS${4 * v + j} + (k + ${kk}u) * ${bStride})`)
        .join(', ')})`;
  }
  for (const kk of range(4)) {
    for (const v of range(V)) body.push(`    let b${kk}_${v} = ${bExpr(kk, v)};`);
    body.push(
      ...fmaStep(
        R,
        V,
        (r) => aExpr(r, kk),
        (v) => `b${kk}_${v}`,
      ),
    );
  }

  // Remainder loop (K % 4 steps): scalar loads only.
  const tail: string[] = [];
  for (const v of range(V))
    tail.push(
      `    let b${v} = vec4<f32>(${range(4)
        .map((j) => `BAt(bS${4 * v + j} + k * ${bStride})`)
        .join(', ')});`,
    );
  tail.push(
    ...fmaStep(
      R,
      V,
      (r) => `AAt(aS${r} + k * ${aStride})`,
      (v) => `b${v}`,
    ),
  );

  return `
${preamble(c)}
@compute @workgroup_size(${c.wgX}, ${c.wgY})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col0 = gid.x * ${TN}u;
  let row0 = gid.y * ${R}u;
  let z = gid.z;
  if (col0 >= u.N || row0 >= u.M) { return; }
  let offs = batchOffsets(z);
  let aBase = offs.x;
  let bBase = offs.y;
${pre.join('\n')}
${accumulators(R, V)}
  // This dispatch's k range: all of K, or one split-K chunk (kChunk % 4 == 0 keeps vec4 alignment).
  let kStart = (z % u.splits) * u.kChunk;
  let kEnd = min(u.K, kStart + u.kChunk);
  let k4 = kStart + ((kEnd - min(kStart, kEnd)) & ~3u);
  for (var k = kStart; k < k4; k += 4u) {
${body.join('\n')}
  }
  for (var k = k4; k < kEnd; k++) {
${tail.join('\n')}
  }
${epilogue(c)}
}`;
}

/**
 * Global → workgroup-memory copy of one operand's slab, stored k-major (S[kk][x]) with x the row
 * of C (A) or its column (B). `alongK` says which way the operand is contiguous in memory:
 * neighbouring invocations read neighbouring addresses (coalescing), as vec4s when aligned, and
 * anything past the matrix edge or the k range is stored as zero so the k sum needs no checks.
 */
function slabLoad(o: {
  slab: string;
  src: string;
  vec: boolean;
  alongK: boolean;
  width: number;
  TK: number;
  WG: number;
  origin: string;
  limit: string;
  addr: (gx: string, gk: string) => string;
}): string {
  const { slab, src, width: W, TK, WG } = o;
  const store = (kk: string, x: string, v: string) => `${slab}[((${kk}) * ${W}u + ${x}) >> 2u][(${x}) & 3u] = ${v};`;
  if (!o.vec) {
    const [kk, x] = o.alongK ? [`i % ${TK}u`, `i / ${TK}u`] : [`i / ${W}u`, `i % ${W}u`];
    return `
    for (var i = li; i < ${W * TK}u; i += ${WG}u) {
      let kk = ${kk}; let x = ${x};
      let gx = ${o.origin} + x; let gk = k0 + kk;
      var v = 0.0;
      if (gx < ${o.limit} && gk < kEnd) { v = ${src}At(${o.addr('gx', 'gk')}); }
      ${store('kk', 'x', 'v')}
    }`;
  }
  if (o.alongK) {
    // One vec4 covers k..k+3 of one row/column: it lands in four slab rows.
    return `
    for (var i = li; i < ${(W * TK) / 4}u; i += ${WG}u) {
      let kk = (i % ${TK / 4}u) * 4u; let x = i / ${TK / 4}u;
      let gx = ${o.origin} + x; let gk = k0 + kk;
      var v = vec4<f32>(0.0);
      if (gx < ${o.limit} && gk < kEnd) { v = ${src}[(${o.addr('gx', 'gk')}) >> 2u]; }
      ${range(4)
        .map((j) => store(`kk + ${j}u`, 'x', `v.${lane(j)}`))
        .join('\n      ')}
    }`;
  }
  // One vec4 covers four neighbouring x at one k: a single aligned slab store.
  return `
    for (var i = li; i < ${(W * TK) / 4}u; i += ${WG}u) {
      let kk = i / ${W / 4}u; let x = (i % ${W / 4}u) * 4u;
      let gx = ${o.origin} + x; let gk = k0 + kk;
      var v = vec4<f32>(0.0);
      if (gx < ${o.limit} && gk < kEnd) { v = ${src}[(${o.addr('gx', 'gk')}) >> 2u]; }
      ${slab}[(kk * ${W}u + x) >> 2u] = v;
    }`;
}

/**
 * Workgroup-tiled kernel. Slabs are stored k-major (As[kk][m], Bs[kk][n]) so that the inner loop
 * reads an invocation's R rows and 4V columns as contiguous vec4s.
 */
export function matmulWorkgroupWGSL(c: MatmulConfig): string {
  const R = c.rows,
    V = c.vec4Cols,
    TK = c.tileK;
  const TM = c.wgY * R,
    TN = c.wgX * 4 * V,
    WG = c.wgX * c.wgY;
  if (R % 4 !== 0 || TK % 4 !== 0) throw new Error(`matmul workgroup variant: rows (${R}) and tileK (${TK}) must be multiples of 4`);
  const loadA = slabLoad({
    slab: 'As',
    src: 'A',
    vec: c.aVec,
    alongK: !c.transA,
    width: TM,
    TK,
    WG,
    origin: 'tileRow',
    limit: 'u.M',
    addr: (gm, gk) => (c.transA ? `aBase + ${gk} * u.M + ${gm}` : `aBase + ${gm} * u.K + ${gk}`),
  });
  const loadB = slabLoad({
    slab: 'Bs',
    src: 'B',
    vec: c.bVec,
    alongK: c.transB,
    width: TN,
    TK,
    WG,
    origin: 'tileCol',
    limit: 'u.N',
    addr: (gn, gk) => (c.transB ? `bBase + ${gn} * u.K + ${gk}` : `bBase + ${gk} * u.N + ${gn}`),
  });
  const compute: string[] = [];
  for (const q of range(R / 4)) compute.push(`      let a${q} = As[kk * ${TM / 4}u + lid.y * ${R / 4}u + ${q}u];`);
  for (const v of range(V)) compute.push(`      let b${v} = Bs[kk * ${TN / 4}u + lid.x * ${V}u + ${v}u];`);
  compute.push(
    ...fmaStep(
      R,
      V,
      (r) => `a${Math.floor(r / 4)}.${lane(r % 4)}`,
      (v) => `b${v}`,
    ).map((l) => '  ' + l),
  );

  return `
${preamble(c)}
var<workgroup> As: array<vec4<f32>, ${(TK * TM) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(TK * TN) / 4}>;
@compute @workgroup_size(${c.wgX}, ${c.wgY})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let tileRow = wid.y * ${TM}u;
  let tileCol = wid.x * ${TN}u;
  let z = wid.z;
  // No early return: every invocation must reach the barriers.
  let offs = batchOffsets(z);
  let aBase = offs.x;
  let bBase = offs.y;
  let kStart = (z % u.splits) * u.kChunk;
  let kEnd = min(u.K, kStart + u.kChunk);
${accumulators(R, V)}
  for (var k0 = kStart; k0 < kEnd; k0 += ${TK}u) {${loadA}${loadB}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
${compute.join('\n')}
    }
    workgroupBarrier();
  }
  let row0 = tileRow + lid.y * ${R}u;
  let col0 = tileCol + lid.x * ${4 * V}u;
${epilogue(c)}
}`;
}

export function matmulKernel(c: MatmulConfig): KernelSource {
  return { ...bindings(c), code: () => (c.variant === 'registers' ? matmulRegistersWGSL(c) : matmulWorkgroupWGSL(c)) };
}
