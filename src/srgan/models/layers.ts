/**
 * Small building blocks shared by the SRGAN networks. Parameter-free layers (pixel shuffle,
 * nearest upsampling) are modules too, so that they hold an index in a Sequential exactly where
 * PyTorch's twin has its nn.PixelShuffle / nn.Upsample, and the parameter names line up.
 */
import * as E from '../../engine/index.js';
import type { Rng } from '../../engine/index.js';

export class PixelShuffle extends E.nn.Module {
  constructor(readonly factor: number) {
    super();
  }
  forward(x: E.Tensor): E.Tensor {
    return E.pixelShuffle(x, this.factor);
  }
}

export class UpsampleNearest extends E.nn.Module {
  constructor(readonly factor: number) {
    super();
  }
  forward(x: E.Tensor): E.Tensor {
    return E.upsampleNearest(x, this.factor);
  }
}

/** PReLU has one slope per channel (nn.PReLU(num_parameters=C) in the twin); ReLU has no parameter. */
export function activation(kind: 'prelu' | 'relu', channels: number): E.nn.Module {
  return kind === 'prelu' ? new E.nn.PReLU(channels) : new E.nn.ReLU();
}

/** A k×k convolution that keeps H×W at stride 1 (PyTorch padding = k // 2, symmetric). */
export function conv(cin: number, cout: number, k: number, rng?: Rng, stride = 1): E.nn.Conv2d {
  return new E.nn.Conv2d(cin, cout, k, { padding: (k - 1) / 2, stride, rng });
}

/** Parameters of a conv with bias, for the independent parameter counts. */
export const convParams = (cin: number, cout: number, k: number) => cin * cout * k * k + cout;
