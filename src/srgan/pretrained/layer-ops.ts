/**
 * Keras layer classes → engine ops. TF.js runs NHWC with HWIO kernels; the engine runs NCHW with
 * OIHW weights, so each converter translates its config's axes and converts its weights once, here,
 * at load time. A converter validates everything it does not support and names the layer when it
 * refuses, so an unfamiliar model fails at load, not with wrong pixels.
 */
import {
  Tensor,
  keep,
  conv2d,
  type Conv2dOptions,
  concat,
  permute,
  reshape,
  add,
  mulScalar,
  relu,
  sigmoid,
  tanh,
  pixelShuffle,
  upsampleNearest,
} from '../../engine/index.js';
import type { ParsedLayer, StoredWeight } from './layers-format.js';
import { ModelFileError } from '../errors.js';

/** A layer after planning (see plan.ts): what was folded into it at load time. */
export interface PlannedLayer extends ParsedLayer {
  /** An Activation('relu') that only this Conv2D fed, now run in the conv's epilogue. */
  fusedRelu?: boolean;
  /** Output channel j of this Conv2D is stored channel outputOrder[j] (set for a following depth-to-space). */
  outputOrder?: number[];
  /** The producing conv already emits PyTorch's pixel-shuffle channel order (see depthToSpaceOrder). */
  inputInShuffleOrder?: boolean;
}

export interface LayerStep {
  run(inputs: Tensor[]): Tensor;
  /** Weights converted to our layout; the step owns them. */
  params: Tensor[];
}

export class UnsupportedLayerError extends ModelFileError {
  override name = 'UnsupportedLayerError';
}

export interface ConvertContext {
  layer: PlannedLayer;
  /** The stored weight `<layer>/<kind>`, or undefined. */
  weight(kind: 'kernel' | 'bias'): StoredWeight | undefined;
}

const refuse = (l: ParsedLayer, msg: string): never => {
  throw new UnsupportedLayerError(`layer ${l.name} (${l.className}): ${msg}`);
};

function pair(l: ParsedLayer, key: string, fallback: number): number {
  const v = l.config[key] ?? [fallback, fallback];
  const [a, b] = Array.isArray(v) ? v : [v, v];
  if (a !== b || !Number.isInteger(a)) refuse(l, `${key} ${JSON.stringify(v)} is not supported (equal integers only)`);
  return a as number;
}

function channelsLast(l: ParsedLayer): void {
  const f = l.config.data_format;
  if (f !== undefined && f !== 'channels_last') refuse(l, `data_format ${JSON.stringify(f)} is not supported`);
}

/** Keras activations the engine has; 'linear' is the identity. */
const activations: Record<string, ((x: Tensor) => Tensor) | null> = { linear: null, relu, sigmoid, tanh };

function activationOf(l: ParsedLayer): ((x: Tensor) => Tensor) | null {
  const name = String(l.config.activation ?? 'linear');
  if (!(name in activations)) refuse(l, `activation ${JSON.stringify(name)} is not supported (known: ${Object.keys(activations).join(', ')})`);
  return activations[name];
}

/** A float32 tensor that outlives any tidy scope open during loading: the step owns it. */
const param = (values: Float32Array, shape: number[]) => keep(Tensor.fromArray(values, shape));

/**
 * HWIO [kh, kw, I, O] → OIHW [O, I, kh, kw]. `outputOrder[j]` picks which stored output channel
 * becomes channel j (identity when absent).
 */
export function hwioToOihw(values: Float32Array, shape: readonly number[], outputOrder?: readonly number[]): Float32Array {
  const [kh, kw, ci, co] = shape;
  const out = new Float32Array(values.length);
  let i = 0;
  for (let o = 0; o < co; o++) {
    const src = outputOrder ? outputOrder[o] : o;
    for (let c = 0; c < ci; c++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[i++] = values[((y * kw + x) * ci + c) * co + src];
  }
  return out;
}

/**
 * TF's depth_to_space reads channel (i·r + j)·C + c for output pixel offset (i, j) of channel c;
 * PyTorch's pixel shuffle (the engine's) reads c·r² + i·r + j. This order makes a conv's output
 * channel c·r² + k the stored channel k·C + c, so the engine's shuffle then gives TF's result.
 */
export function depthToSpaceOrder(r: number, channels: number): number[] {
  const C = channels / (r * r);
  const order = new Array<number>(channels);
  for (let c = 0; c < C; c++) for (let k = 0; k < r * r; k++) order[c * r * r + k] = k * C + c;
  return order;
}

function convertConv2D({ layer: l, weight }: ConvertContext): LayerStep {
  channelsLast(l);
  const stride = pair(l, 'strides', 1);
  if (pair(l, 'dilation_rate', 1) !== 1) refuse(l, 'dilated convolutions are not supported');
  if ((l.config.groups ?? 1) !== 1) refuse(l, `groups ${l.config.groups} is not supported`);
  const padding = l.config.padding ?? 'valid';
  if (padding !== 'same' && padding !== 'valid') refuse(l, `padding ${JSON.stringify(padding)} is not supported`);
  const kernel = weight('kernel') ?? refuse(l, 'no weight named kernel in the manifest');
  if (kernel.shape.length !== 4) refuse(l, `kernel shape [${kernel.shape}] is not [kh, kw, in, out]`);
  const [kh, kw, ci, co] = kernel.shape;
  if (l.config.filters !== undefined && l.config.filters !== co) refuse(l, `filters ${l.config.filters} but the kernel has ${co} outputs`);
  const order = l.outputOrder;
  const w = param(hwioToOihw(kernel.values, kernel.shape, order), [co, ci, kh, kw]);
  const params = [w];
  let b: Tensor | null = null;
  if (l.config.use_bias !== false) {
    const bias = weight('bias') ?? refuse(l, 'use_bias is set but there is no weight named bias');
    if (bias.values.length !== co) refuse(l, `bias has ${bias.values.length} values for ${co} filters`);
    b = param(order ? Float32Array.from(order, (src) => bias.values[src]) : bias.values, [co]);
    params.push(b);
  }
  const after = activationOf(l);
  const opts: Conv2dOptions = { stride, padding: padding as 'same' | 'valid' };
  // Only relu goes in the epilogue; other activations stay a separate op.
  if (l.fusedRelu || after === relu) opts.activation = 'relu';
  const post = after === relu ? null : after;
  return {
    params,
    run: ([x]) => {
      const y = conv2d(x, w, b, opts);
      if (!post) return y;
      const z = post(y);
      y.dispose();
      return z;
    },
  };
}

/** NHWC axis → NCHW axis. */
const nchwAxis: Record<number, number> = { 0: 0, 1: 2, 2: 3, 3: 1, [-1]: 1, [-2]: 3, [-3]: 2 };

function convertConcatenate({ layer: l }: ConvertContext): LayerStep {
  const axis = Number(l.config.axis ?? -1);
  if (!(axis in nchwAxis)) refuse(l, `axis ${axis} is not an axis of a 4-D tensor`);
  return { params: [], run: (xs) => concat(xs, nchwAxis[axis]) };
}

function convertAdd({ layer: l }: ConvertContext): LayerStep {
  if (l.inputs.length < 2) refuse(l, `needs at least 2 inputs, got ${l.inputs.length}`);
  return {
    params: [],
    run: (xs) => {
      let acc = add(xs[0], xs[1]);
      for (const x of xs.slice(2)) {
        const next = add(acc, x);
        acc.dispose();
        acc = next;
      }
      return acc;
    },
  };
}

function convertActivation({ layer: l }: ConvertContext): LayerStep {
  const f = activationOf(l) ?? refuse(l, "a 'linear' Activation should have been removed by the planner");
  return { params: [], run: ([x]) => f(x) };
}

function convertUpSampling2D({ layer: l }: ConvertContext): LayerStep {
  channelsLast(l);
  const size = pair(l, 'size', 2);
  const interp = l.config.interpolation ?? 'nearest';
  if (interp !== 'nearest') refuse(l, `interpolation ${JSON.stringify(interp)} is not supported (nearest only)`);
  return { params: [], run: ([x]) => upsampleNearest(x, size) };
}

/** UpscalerJS's MultiplyBeta: x · 0.2. Its class ignores the saved config, so a different beta would be ambiguous. */
const UPSCALERJS_BETA = 0.2;

function convertMultiplyBeta({ layer: l }: ConvertContext): LayerStep {
  const beta = l.config.beta ?? UPSCALERJS_BETA;
  if (beta !== UPSCALERJS_BETA) refuse(l, `beta ${beta}: UpscalerJS's MultiplyBeta always multiplies by ${UPSCALERJS_BETA}`);
  return { params: [], run: ([x]) => mulScalar(x, UPSCALERJS_BETA) };
}

/** UpscalerJS's PixelShuffle{r}x: tf.depthToSpace(x, r, 'NHWC'). */
function convertPixelShuffle(r: number) {
  return ({ layer: l }: ConvertContext): LayerStep => {
    if (l.config.scale !== undefined && l.config.scale !== r) refuse(l, `config scale ${l.config.scale} contradicts the class name`);
    if (l.inputInShuffleOrder) return { params: [], run: ([x]) => pixelShuffle(x, r) };
    // No conv to fold the reorder into: regroup channels [k·C + c] → [c·r² + k] with one copy.
    return {
      params: [],
      run: ([x]) => {
        const [n, ch, h, w] = x.shape;
        const grouped = reshape(x, [n, r * r, ch / (r * r), h, w]);
        const swapped = permute(grouped, [0, 2, 1, 3, 4]);
        const flat = reshape(swapped, [n, ch, h, w]);
        const y = pixelShuffle(flat, r);
        for (const t of [grouped, swapped, flat]) t.dispose();
        return y;
      },
    };
  };
}

const converters: Record<string, (ctx: ConvertContext) => LayerStep> = {
  Conv2D: convertConv2D,
  Concatenate: convertConcatenate,
  Add: convertAdd,
  Activation: convertActivation,
  UpSampling2D: convertUpSampling2D,
  MultiplyBeta: convertMultiplyBeta,
};

/** The depth-to-space factor of an UpscalerJS PixelShuffle{r}x class, or undefined. */
export function pixelShuffleFactor(className: string): number | undefined {
  const m = /^PixelShuffle(\d+)x$/.exec(className);
  return m ? Number(m[1]) : undefined;
}

export const supportedLayerClasses = [...Object.keys(converters), 'PixelShuffle{r}x', 'InputLayer'];

export function convertLayer(ctx: ConvertContext): LayerStep {
  const r = pixelShuffleFactor(ctx.layer.className);
  const convert = r ? convertPixelShuffle(r) : converters[ctx.layer.className];
  if (!convert)
    throw new UnsupportedLayerError(
      `layer ${ctx.layer.name}: unknown layer class ${ctx.layer.className} (supported: ${supportedLayerClasses.join(', ')})`,
    );
  return convert(ctx);
}
