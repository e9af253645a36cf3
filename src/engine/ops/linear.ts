/**
 * Dense layer in PyTorch's layout: y = x · wᵀ + b with w [out, in]. The transpose is a matmul flag
 * and the bias is fused into the matmul epilogue, so the forward is a single kernel.
 */
import type { Tensor } from '../tensor.js';
import { fmt, ShapeError } from '../shape.js';
import { matmul, refMatmul } from './matmul.js';
import { reshape } from './layout.js';
import type { RefArray } from '../reference.js';

export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  if (w.rank !== 2) throw new ShapeError(`linear: weight ${fmt(w.shape)} must be [out, in]`);
  if (x.rank < 1 || x.shape[x.rank - 1] !== w.shape[1])
    throw new ShapeError(`linear: input ${fmt(x.shape)} has ${x.shape[x.rank - 1]} features, weight ${fmt(w.shape)} expects ${w.shape[1]}`);
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[0]))
    throw new ShapeError(`linear: bias ${fmt(b.shape)} must be [${w.shape[0]}] for weight ${fmt(w.shape)}`);
  if (x.rank === 1) {
    // A single sample: lift to a one-row matrix so the bias can be fused.
    return reshape(linear(reshape(x, [1, x.shape[0]]), w, b), [w.shape[0]]);
  }
  return matmul(x, w, { transB: true, bias: b ?? undefined });
}

export function refLinear(x: RefArray, w: RefArray, b?: RefArray): RefArray {
  return refMatmul(x, w, { transB: true, bias: b });
}
