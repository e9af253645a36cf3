/** Host images to NCHW tensors and back (the only place the two layouts meet). */
import * as E from '../../engine/index.js';
import { alphaPlane, fromRgbPlanes, hasAlpha, toRgbPlanes, type Channels, type HostImage } from './types.js';

/** [1, 3, H, W] in [0, 1]: grey repeated into RGB, alpha dropped (see alphaToTensor). */
export function imageToTensor(img: HostImage): E.Tensor {
  return E.Tensor.fromArray(toRgbPlanes(img), [1, 3, img.height, img.width]);
}

/** The alpha channel as [1, 1, H, W], or null. */
export function alphaToTensor(img: HostImage): E.Tensor | null {
  const a = alphaPlane(img);
  return a && E.Tensor.fromArray(a, [1, 1, img.height, img.width]);
}

/**
 * Read a [1, 3, H, W] tensor (values already in [0, 1]) back into a host image with `channels`
 * channels; `alpha` ([1, 1, H, W]) supplies the alpha channel when `channels` has one.
 * The tensors are not disposed: the caller owns them.
 */
export async function tensorToImage(rgb: E.Tensor, channels: Channels = 3, alpha: E.Tensor | null = null): Promise<HostImage> {
  if (rgb.rank !== 4 || rgb.shape[0] !== 1 || rgb.shape[1] !== 3) throw new E.ShapeError(`tensorToImage: expected [1, 3, H, W], got [${rgb.shape}]`);
  const [, , h, w] = rgb.shape;
  if (hasAlpha({ channels }) && (!alpha || alpha.size !== h * w))
    throw new E.ShapeError(`tensorToImage: ${channels} channels need an alpha tensor [1, 1, ${h}, ${w}]`);
  const planes = await rgb.read();
  const a = hasAlpha({ channels }) ? await alpha!.read() : null;
  return fromRgbPlanes(planes, w, h, channels, a);
}
