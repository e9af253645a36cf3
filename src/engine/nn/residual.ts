/**
 * Residual connection: y = x + body(x). The body's layers are this module's own children
 * (0, 1, 2…), so an SRResNet block reads `blocks.3.1.running_mean`, like an nn.Sequential
 * subclass in PyTorch.
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { ShapeError, fmt, sameShape } from '../shape.js';
import { Sequential } from './sequential.js';

export class Residual extends Sequential {
  override forward(x: Tensor): Tensor {
    const y = super.forward(x);
    // Broadcasting would silently accept a body that changes the shape; a skip connection never should.
    if (!sameShape(x.shape, y.shape))
      throw new ShapeError(`Residual: body maps ${fmt(x.shape)} to ${fmt(y.shape)}; the skip connection needs the same shape`);
    return add(x, y);
  }
}
