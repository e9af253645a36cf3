/**
 * Activations with learned parameters. (Parameter-free ones live in the elementwise table.)
 * prelu: y = x for x > 0, α·x otherwise, with one α per channel (axis 1) or one shared α.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { fmt, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { preluAlphaGradSpec, preluKernel } from '../kernels/prelu.js';
import { WALK_WORDS } from '../kernels/chunked-reduce.js';
import { perChannelWidth } from '../kernels/common.js';
import { planReduce, reduceChoice, runChunked, sumPartials, type ReduceWalk } from './reduce.js';
import { preluAlphaGradCpu, preluCpu, preluInputGradCpu } from './cpu/prelu.js';

/** x as [N, C, inner] for the channel indexing; a shared α sees the whole tensor as one channel. */
function geometry(x: Tensor, alpha: Tensor) {
  if (alpha.rank !== 1 || alpha.size < 1) throw new ShapeError(`prelu: alpha must be [C] or [1], got ${fmt(alpha.shape)} for input ${fmt(x.shape)}`);
  if (alpha.size === 1) return { n: x.size, c: 1, inner: x.size, count: x.size };
  if (x.rank < 2 || x.shape[1] !== alpha.size)
    throw new ShapeError(`prelu: alpha ${fmt(alpha.shape)} does not match the channel axis (1) of input ${fmt(x.shape)}`);
  const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
  return { n: x.size, c: alpha.size, inner, count: x.shape[0] * inner };
}

export function prelu(x: Tensor, alpha: Tensor): Tensor {
  const geo = geometry(x, alpha);
  const eng = engine();
  if (eng.kind === 'cpu') {
    return record(preluCpu(eng, x, alpha, geo), 'prelu', [x, alpha], (g, needs) => [
      needs[0] ? preluInputGradCpu(eng, x, alpha, g, geo) : null,
      needs[1] ? preluAlphaGradCpu(eng, x, g, alpha.shape, geo) : null,
    ]);
  }
  const params = new Uint32Array([geo.n, geo.c, geo.inner, geo.count]);
  const wg = engine().tuning.elementwiseWG;
  const v = perChannelWidth(geo.inner);
  const elementwise = (backward: boolean, buffers: GPUBuffer[]) =>
    engine().runKernel(
      { name: backward ? 'prelu_bwd' : 'prelu', key: `${wg}|${v}`, ...preluKernel(wg, v, backward) },
      { buffers, params, workgroups: grid1d(x.size / v, wg), bytes: x.size * (backward ? 12 : 8) },
    );
  const y = Tensor.empty(x.shape);
  elementwise(false, [x.buffer, alpha.buffer, y.buffer]);
  const ch = reduceChoice();
  return record(y, 'prelu', [x, alpha], (g, needs) => {
    let dx: Tensor | null = null,
      dAlpha: Tensor | null = null;
    if (needs[0]) {
      dx = Tensor.empty(x.shape);
      elementwise(true, [x.buffer, alpha.buffer, g.buffer, dx.buffer]);
    }
    if (needs[1]) {
      const walk: ReduceWalk = { nOut: geo.c, nRed: geo.count, run: geo.inner, runStride: 1 };
      const plan = planReduce(walk, ch);
      const part = Tensor.empty([plan.chunks, geo.c]);
      runChunked(
        'prelu_alpha_grad',
        'dalpha',
        preluAlphaGradSpec(),
        walk,
        plan,
        [x.buffer, g.buffer, part.buffer],
        new Uint32Array(WALK_WORDS),
        x.size * 8,
      );
      dAlpha = sumPartials(part, plan.chunks, alpha.shape, 1, ch);
    }
    return [dx, dAlpha];
  });
}

/** float64 reference. */
export function refPrelu(x: RefArray, alpha: RefArray): RefArray {
  const inner = alpha.data.length === 1 ? x.data.length : x.shape.slice(2).reduce((p, d) => p * d, 1);
  const c = alpha.data.length;
  const data = x.data.map((v, i) => (v > 0 ? v : alpha.data[Math.floor(i / inner) % c] * v));
  return { data, shape: [...x.shape] };
}
