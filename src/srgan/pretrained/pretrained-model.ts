/**
 * A pretrained model behind the project's pixel convention: `run(lr [N, 3, h, w] in [0, 1])` →
 * `[N, 3, s·h, s·w]` in [0, 1], doing what UpscalerJS does around the network: scale the input to
 * the model's range, then clip the output to that range (and bring it back to [0, 1]).
 */
import type { Tensor } from '../../engine/index.js';
import { tidy, formatShape as fmt, ShapeError, clamp, mulScalar } from '../../engine/index.js';
import { compileLayersModel } from './tfjs-layers.js';
import type { LayersModelFiles } from './layers-format.js';
import { pretrainedInfo, type PretrainedInfo, type PretrainedName, type PretrainedScale } from './catalogue.js';

export interface PretrainedModel {
  readonly name: PretrainedName;
  readonly scale: PretrainedScale;
  readonly license: string;
  readonly source: string;
  readonly info: PretrainedInfo;
  readonly parameterCount: number;
  /** [N, 3, h, w] in [0, 1] → [N, 3, scale·h, scale·w] in [0, 1]. The caller owns the result. */
  run(x: Tensor): Tensor;
  dispose(): void;
}

/** Build a catalogue model from its files (read by node.ts or browser.ts). */
export function pretrainedFromFiles(name: PretrainedName, scale: PretrainedScale, files: LayersModelFiles): PretrainedModel {
  const info = pretrainedInfo(name, scale);
  const net = compileLayersModel(files);
  const max = info.pixelMax;
  return {
    name,
    scale,
    info,
    license: info.license,
    source: info.source,
    parameterCount: net.parameterCount,
    run(x) {
      if (x.rank !== 4 || x.shape[1] !== 3) throw new ShapeError(`${name}: input must be [N, 3, h, w] in [0, 1], got ${fmt(x.shape)}`);
      return tidy(() => {
        const y = net.run(max === 1 ? x : mulScalar(x, max));
        if (y.shape[2] !== x.shape[2] * scale || y.shape[3] !== x.shape[3] * scale)
          throw new ShapeError(`${name} ×${scale}: output ${fmt(y.shape)} is not ${scale}× the input ${fmt(x.shape)}`);
        const clipped = clamp(y, 0, max);
        return max === 1 ? clipped : mulScalar(clipped, 1 / max);
      });
    },
    dispose: () => net.dispose(),
  };
}
