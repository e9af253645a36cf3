/**
 * VGG19's convolutional features (torchvision's `vgg19().features`), frozen, for the VGG content
 * loss. Layer indices and state-dict keys are torchvision's: conv i of the list below is
 * `features.{i}.weight` [out, in, 3, 3] and `features.{i}.bias`; ReLUs and max-pools sit at the
 * indices between, holding no weights. The extractor stops at a named ReLU ('relu5_4' is the
 * paper's "VGG54", 'relu3_3' the Keras project's block3_conv3), so only the convs up to it exist.
 *
 * Input: RGB in [0, 1], normalised with ImageNet's mean and std inside (as torchvision expects).
 * The weights are buffers, not parameters: nothing trains them and no gradient is computed for
 * them, while gradients flow through to the input (the generator's output).
 */
import * as E from '../../engine/index.js';
import type { DecodedSafetensors, Rng } from '../../engine/index.js';
import { ModelFileError } from '../errors.js';

/** torchvision's cfg 'E': channels, 'M' = 2×2 max-pool. */
const LAYOUT: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'];

interface ConvSpec { index: number; name: string; cin: number; cout: number; poolBefore: boolean }

/** The 16 convs with their torchvision index and ReLU name (relu{block}_{n}). */
const CONVS: ConvSpec[] = (() => {
  const out: ConvSpec[] = [];
  let index = 0, block = 1, n = 1, cin = 3, poolBefore = false;
  for (const v of LAYOUT) {
    if (v === 'M') { index += 1; block++; n = 1; poolBefore = true; continue; }
    out.push({ index, name: `relu${block}_${n++}`, cin, cout: v, poolBefore });
    poolBefore = false;
    index += 2; // conv, then its ReLU
    cin = v;
  }
  return out;
})();

export const VGG19_LAYERS: readonly string[] = CONVS.map((c) => c.name);

/** Every tensor of torchvision's `vgg19().features` state dict with its shape (what a weights file holds). */
export function vgg19WeightShapes(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const c of CONVS) {
    out.set(`features.${c.index}.weight`, [c.cout, c.cin, 3, 3]);
    out.set(`features.${c.index}.bias`, [c.cout]);
  }
  return out;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

export class Vgg19Error extends ModelFileError {
  override name = 'Vgg19Error';
}

/** One frozen conv 3×3 (padding 1) with its ReLU fused. */
class FrozenConv extends E.nn.Module {
  readonly weight: E.Tensor;
  readonly bias: E.Tensor;
  constructor(cin: number, cout: number, rng: Rng) {
    super();
    const fanIn = cin * 9;
    this.weight = this.registerBuffer('weight', E.nn.kaimingUniform([cout, cin, 3, 3], fanIn, rng));
    this.bias = this.registerBuffer('bias', E.nn.biasUniform(cout, fanIn, rng));
  }
  forward(x: E.Tensor): E.Tensor {
    return E.conv2d(x, this.weight, this.bias, { padding: 1, activation: 'relu' });
  }
}

/** torchvision's `features` Sequential: convs under their indices (keys `features.{index}.weight`), pools between. */
class Features extends E.nn.Module {
  private readonly convs: FrozenConv[] = [];
  constructor(private readonly specs: ConvSpec[], rng: Rng) {
    super();
    for (const s of specs) this.convs.push(this.registerModule(String(s.index), new FrozenConv(s.cin, s.cout, rng)));
  }
  forward(x: E.Tensor): E.Tensor {
    let y = x;
    this.specs.forEach((s, k) => {
      if (s.poolBefore) y = E.maxPool2d(y, 2);
      y = this.convs[k].forward(y);
    });
    return y;
  }
}

export class Vgg19Features extends E.nn.Module {
  readonly features: Features;
  private readonly specs: ConvSpec[];
  private readonly scale: E.Tensor;
  private readonly shift: E.Tensor;

  /**
   * Weights start random (PyTorch's default init, from `rng` or the shared seeded generator): load
   * real ones with `loadWeights`. `layer` is the ReLU whose output `forward` returns.
   */
  constructor(readonly layer = 'relu5_4', { rng }: { rng?: Rng } = {}) {
    super();
    const last = CONVS.findIndex((c) => c.name === layer);
    if (last < 0) throw new Vgg19Error(`VGG19: unknown layer "${layer}" (expected one of ${VGG19_LAYERS.join(', ')})`);
    this.specs = CONVS.slice(0, last + 1);
    this.features = this.registerModule('features', new Features(this.specs, E.nn.initRng(rng)));
    // (x − mean) / std as x·(1/std) + (−mean/std), per channel.
    this.scale = E.keep(E.tensor(IMAGENET_STD.map((s) => 1 / s), [1, 3, 1, 1]));
    this.shift = E.keep(E.tensor(IMAGENET_MEAN.map((m, i) => -m / IMAGENET_STD[i]), [1, 3, 1, 1]));
    this.eval();
  }

  /** [N, 3, H, W] in [0, 1] → the chosen ReLU's output. H and W must survive the pools before it. */
  forward(x: E.Tensor): E.Tensor {
    this.layerShapes(x.shape); // clear errors before any kernel runs
    return this.features.forward(E.add(E.mul(x, this.scale), this.shift));
  }

  /** Output shape of every ReLU up to the chosen one, for an input shape (checks the input too). */
  layerShapes(input: readonly number[]): { name: string; shape: number[] }[] {
    if (input.length !== 4 || input[1] !== 3)
      throw new E.ShapeError(`Vgg19Features: input must be RGB [N, 3, H, W] in [0, 1], got [${input.join(', ')}]`);
    let [n, , h, w] = input;
    return this.specs.map((s) => {
      if (s.poolBefore) {
        if (h < 2 || w < 2)
          throw new E.ShapeError(`Vgg19Features: input [${input.join(', ')}] is too small to reach ${this.layer} (pool before ${s.name} sees ${h}×${w})`);
        h = Math.floor(h / 2); w = Math.floor(w / 2);
      }
      return { name: s.name, shape: [n, s.cout, h, w] };
    });
  }

  /**
   * Load torchvision weights from safetensors (bytes or a decoded file). The file must hold all 32
   * `features.*` tensors of VGG19 with their exact shapes; `classifier.*` tensors (a full
   * torchvision state dict) are ignored; anything else is an error. Every problem is reported at
   * once, naming the keys, and nothing is written unless the whole file is right.
   */
  loadWeights(source: Uint8Array | DecodedSafetensors): void {
    const decoded = source instanceof Uint8Array ? E.decodeSafetensors(source) : source;
    const byName = new Map(decoded.tensors.map((t) => [t.name, t]));
    const problems: string[] = [];
    const wanted = vgg19WeightShapes();
    for (const [key, shape] of wanted) {
      const t = byName.get(key);
      if (!t) problems.push(`missing ${key}`);
      else if (t.shape.join() !== shape.join()) problems.push(`${key} has shape [${t.shape}], VGG19 needs [${shape}]`);
    }
    for (const key of byName.keys())
      if (!wanted.has(key) && !key.startsWith('classifier.')) problems.push(`unexpected ${key}`);
    if (problems.length)
      throw new Vgg19Error(`VGG19 weights: ${problems.join('; ')} (expected torchvision's vgg19 features.* tensors; docs/training.md says how to make the file)`);
    const own = this.stateDict();
    this.loadStateDict(decoded.tensors.filter((t) => own.has(t.name)));
  }

  override dispose(): void {
    super.dispose();
    this.scale.dispose();
    this.shift.dispose();
  }
}
