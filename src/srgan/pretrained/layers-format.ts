/**
 * The TF.js "layers-model" file format, parsed without touching a GPU or a file system: model.json
 * (a Keras functional topology plus a weights manifest) and the binary weight shards it names.
 * Readers (Node: node.ts, browser: browser.ts) fetch the bytes; everything here is pure, so the
 * same parser serves both and the unit tests feed it hand-built files.
 */
import { ModelFileError } from '../errors.js';

/** One reference to a tensor in Keras 2's inbound_nodes: [layer name, node index, tensor index, kwargs]. */
type InboundRef = [string, number, number, Record<string, unknown>?];

export interface KerasLayerJson {
  class_name: string;
  name?: string;
  config: { name?: string; [key: string]: unknown };
  inbound_nodes: InboundRef[][];
}

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface WeightGroup {
  paths: string[];
  weights: WeightEntry[];
}

export interface LayersModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: WeightGroup[];
}

/** Everything a model needs, as read by a Node or browser reader: shards[g][p] is group g's p-th file. */
export interface LayersModelFiles {
  modelJson: LayersModelJson;
  shards: ArrayBuffer[][];
}

/** A layer after parsing: its class, its config and the names of the layers whose outputs it takes. */
export interface ParsedLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  inputs: string[];
}

/** A single-input, single-output functional graph, layers in an order where inputs come first. */
export interface ParsedGraph {
  name: string;
  input: ParsedLayer;
  output: string;
  /** Every layer the output depends on (the InputLayer excluded), topologically sorted. */
  layers: ParsedLayer[];
}

export class LayersModelFormatError extends ModelFileError {
  override name = 'LayersModelFormatError';
}

const fail = (msg: string): never => {
  throw new LayersModelFormatError(msg);
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Keras saves `{model_config: {class_name, config}}`; TF.js's own writer saves `{class_name, config}`. */
function functionalConfig(topology: Record<string, unknown>): Record<string, unknown> {
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const cls = model.class_name;
  if (cls !== 'Functional' && cls !== 'Model') fail(`model.json: only functional models are supported, got class_name ${JSON.stringify(cls)}`);
  if (!isObject(model.config) || !Array.isArray(model.config.layers)) fail('model.json: the model config has no layers list');
  return model.config as Record<string, unknown>;
}

function parseLayer(raw: unknown): ParsedLayer {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config))
    return fail(`model.json: malformed layer entry ${JSON.stringify(raw)?.slice(0, 120)}`);
  const name = String(raw.name ?? raw.config.name ?? '');
  if (!name) fail(`model.json: a ${raw.class_name} layer has no name`);
  const nodes = raw.inbound_nodes;
  if (!Array.isArray(nodes)) return fail(`model.json: layer ${name} has no inbound_nodes list`);
  // A layer called twice (a shared layer) has two inbound nodes; none of the supported models does that.
  if (nodes.length > 1) fail(`model.json: layer ${name} (${raw.class_name}) is shared by ${nodes.length} calls; shared layers are not supported`);
  const inputs = (nodes[0] ?? []).map((ref: unknown) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string')
      return fail(`model.json: layer ${name} has an inbound node in an unsupported format (Keras 2 lists expected): ${JSON.stringify(ref)}`);
    if (ref[1] !== 0 || ref[2] !== 0)
      fail(`model.json: layer ${name} takes output ${ref[1]}/${ref[2]} of ${ref[0]}; only single-output, unshared layers are supported`);
    return ref[0] as string;
  });
  return { className: raw.class_name, name, config: raw.config as Record<string, unknown>, inputs };
}

function singleEndpoint(list: unknown, what: string): string {
  if (!Array.isArray(list) || list.length !== 1 || !Array.isArray(list[0]) || typeof list[0][0] !== 'string')
    return fail(`model.json: exactly one ${what} layer is supported, got ${JSON.stringify(list)}`);
  return list[0][0];
}

/** Parse modelTopology into a sorted graph; layers the output does not depend on are dropped. */
export function parseTopology(modelJson: LayersModelJson): ParsedGraph {
  if (!isObject(modelJson) || !isObject(modelJson.modelTopology)) return fail('model.json: no modelTopology');
  const config = functionalConfig(modelJson.modelTopology);
  const byName = new Map<string, ParsedLayer>();
  for (const raw of config.layers as unknown[]) {
    const layer = parseLayer(raw);
    if (byName.has(layer.name)) fail(`model.json: two layers are named ${layer.name}`);
    byName.set(layer.name, layer);
  }
  const inputName = singleEndpoint(config.input_layers, 'input');
  const output = singleEndpoint(config.output_layers, 'output');
  const input = byName.get(inputName);
  if (!input || input.className !== 'InputLayer') return fail(`model.json: input ${inputName} is not an InputLayer`);

  // Depth-first from the output: a layer is emitted after all its inputs (the order Keras writes is
  // usually already valid, but nothing in the format promises it).
  const layers: ParsedLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') fail(`model.json: the graph has a cycle through ${name}`);
    const layer = byName.get(name) ?? fail(`model.json: layer ${from} takes input from ${name}, which does not exist`);
    state.set(name, 'visiting');
    for (const dep of layer.inputs) visit(dep, name);
    state.set(name, 'done');
    if (layer !== input) layers.push(layer);
  };
  visit(output, 'output_layers');
  if (state.get(inputName) !== 'done') fail(`model.json: the output ${output} does not depend on the input ${inputName}`);
  const name = String(config.name ?? 'model');
  return { name, input, output, layers };
}

/** A weight as stored: TF's layout (Conv2D kernels are HWIO), float32 values. */
export interface StoredWeight {
  shape: number[];
  values: Float32Array;
}

/**
 * Slice the shards into named weights. Within a group the shards are one byte stream cut into
 * files, and the weights follow each other in manifest order.
 */
export function readWeights(manifest: readonly WeightGroup[], shards: readonly (readonly ArrayBuffer[])[]): Map<string, StoredWeight> {
  if (!Array.isArray(manifest)) fail('model.json: no weightsManifest');
  if (shards.length !== manifest.length) fail(`weights: ${manifest.length} groups in the manifest but ${shards.length} were read`);
  const out = new Map<string, StoredWeight>();
  manifest.forEach((group, g) => {
    const files = shards[g];
    if (files.length !== group.paths.length) fail(`weights: group ${g} names ${group.paths.length} files but ${files.length} were read`);
    const total = files.reduce((n, f) => n + f.byteLength, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const f of files) {
      bytes.set(new Uint8Array(f), at);
      at += f.byteLength;
    }
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) fail(`weights: ${w.name} is quantized (${JSON.stringify(w.quantization)}); only float32 weights are supported`);
      if (w.dtype !== 'float32') fail(`weights: ${w.name} has dtype ${w.dtype}; only float32 weights are supported`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (offset + count * 4 > total) fail(`weights: ${w.name} ends past the ${total} bytes of ${group.paths.join(', ')}`);
      // Copy: the slice may not be 4-byte aligned within a concatenation of odd-sized files.
      const values = new Float32Array(bytes.slice(offset, offset + count * 4).buffer);
      out.set(w.name, { shape: [...w.shape], values });
      offset += count * 4;
    }
    if (offset !== total) fail(`weights: ${group.paths.join(', ')} hold ${total} bytes but the manifest describes ${offset}`);
  });
  return out;
}
