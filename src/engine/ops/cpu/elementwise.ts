/**
 * Elementwise ops on the CPU backend: the same table rows as the WGSL kernels (elementwise.ts),
 * compiled into JavaScript loops (wgsl-expr.ts). Broadcasting walks the merged axes with strides
 * that are 0 along broadcast axes, as the WGSL kernel does.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { broadcastStrides, numel, sameShape } from '../../shape.js';
import { mergeAxes } from '../layout.js';
import { broadcastLoop, mapLoop } from './wgsl-expr.js';
import { mapJob, type MapOp } from '../../cpu/jobs.js';

/**
 * Table expressions the WebAssembly map job computes (SIMD, on every thread) with the same bits as
 * the JavaScript loop: one f32 operation, whose f64 result the loop rounds to the same f32, and
 * min/max propagating NaN as Math.min/max do.
 */
const WASM_UNARY: Record<string, MapOp> = { 'x + p0': 'addScalar', 'x * p0': 'mulScalar', 'clamp(x, p0, p1)': 'clamp' };
const WASM_BINARY: Record<string, MapOp> = { 'a + b': 'add', 'a - b': 'sub', 'a * b': 'mul' };
const at = (t: Tensor) => t.storage.block.offset;

const NONE = new Float32Array(0);
const UNARY_VARS = ['x', 'y', 'g'] as const;
const UNARY_PARAMS = ['p0', 'p1'] as const;
const BINARY_VARS = ['a', 'b', 'g'] as const;

/** Forward (`saved`, `g` absent: expr(x)) or backward (expr(x, y, g): dx) of a unary table row. */
export function unaryCpu(eng: CpuEngine, name: string, expr: string, x: Tensor, p0: number, p1: number, saved?: Tensor, g?: Tensor): Tensor {
  return eng.kernel(
    g ? `${name}_bwd` : name,
    () => {
      const out = Tensor.empty(x.shape);
      const op = g ? undefined : WASM_UNARY[expr];
      if (op) {
        if (x.size) mapJob(eng, op, x.size, at(x), 0, at(out), Math.fround(p0), Math.fround(p1));
        return out;
      }
      mapLoop(expr, UNARY_VARS, UNARY_PARAMS)(
        out.data,
        x.size,
        x.data,
        saved ? saved.data : NONE,
        g ? g.data : NONE,
        Math.fround(p0),
        Math.fround(p1),
      );
      return out;
    },
    0,
    x.size * 4 * (g ? 4 : 2),
  );
}

/** expr(a, b) at the broadcast shape, or with `g` one input's gradient expression there. */
export function binaryCpu(eng: CpuEngine, name: string, expr: string, a: Tensor, b: Tensor, outShape: readonly number[], g?: Tensor): Tensor {
  return eng.kernel(
    g ? `${name}_bwd` : name,
    () => {
      const y = Tensor.empty(outShape);
      const gd = g ? g.data : NONE;
      if (sameShape(a.shape, outShape) && sameShape(b.shape, outShape)) {
        const op = g ? undefined : WASM_BINARY[expr];
        if (op) {
          if (y.size) mapJob(eng, op, y.size, at(a), at(b), at(y));
          return y;
        }
        mapLoop(expr, BINARY_VARS, [])(y.data, y.size, a.data, b.data, gd, 0, 0);
        return y;
      }
      const [sizes, [as, bs]] = mergeAxes(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
      // Every axis of size 1 (a [1] against a []): one element at offset 0 of both.
      const one = !sizes.length;
      if (y.size) broadcastLoop(expr)(y.data, y.size, a.data, b.data, gd, one ? [1] : sizes, one ? [0] : as, one ? [0] : bs);
      return y;
    },
    0,
    numel(outShape) * 4 * (g ? 4 : 3),
  );
}
