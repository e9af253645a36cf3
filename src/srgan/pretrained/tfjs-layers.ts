/**
 * A TF.js layers-model (model.json + weight shards) compiled onto the engine: parse the functional
 * graph, plan the exact load-time rewrites, convert every layer's weights to our layout once, and
 * run the steps in order on NCHW tensors, freeing each intermediate after its last reader.
 */
import { Tensor, noGrad, formatShape as fmt, ShapeError } from '../../engine/index.js';
import { LayersModelFormatError, parseTopology, readWeights, type LayersModelFiles, type StoredWeight } from './layers-format.js';
import { convertLayer, type LayerStep } from './layer-ops.js';
import { countUses, planGraph } from './plan.js';

export interface CompiledLayersModel {
  /** The model's name in model.json. */
  readonly name: string;
  /** Channels the InputLayer declares (null when it leaves them open). */
  readonly inputChannels: number | null;
  /** Number of stored weight values the steps use. */
  readonly parameterCount: number;
  /** The model's own function on [N, C, H, W] (its own value range: no pixel scaling here). */
  run(x: Tensor): Tensor;
  dispose(): void;
}

interface NamedStep extends LayerStep {
  name: string;
  className: string;
  inputs: string[];
}

/** `<layer>/<kind>`, or the one weight ending in `/<layer>/<kind>` (Keras may prefix a scope). */
function weightLookup(weights: Map<string, StoredWeight>, layer: string, used: Set<string>) {
  return (kind: 'kernel' | 'bias'): StoredWeight | undefined => {
    const exact = `${layer}/${kind}`;
    let key: string | undefined = weights.has(exact) ? exact : undefined;
    if (!key) {
      const scoped = [...weights.keys()].filter((k) => k.endsWith(`/${exact}`));
      if (scoped.length > 1) throw new LayersModelFormatError(`weights: layer ${layer} matches several ${kind} weights: ${scoped.join(', ')}`);
      key = scoped[0];
    }
    if (key) used.add(key);
    return key ? weights.get(key) : undefined;
  };
}

function inputChannelsOf(config: Record<string, unknown>): number | null {
  const shape = config.batch_input_shape ?? config.batchInputShape;
  const c = Array.isArray(shape) ? shape[3] : null;
  return typeof c === 'number' ? c : null;
}

export function compileLayersModel(files: LayersModelFiles): CompiledLayersModel {
  const graph = parseTopology(files.modelJson);
  const weights = readWeights(files.modelJson.weightsManifest, files.shards);
  const plan = planGraph(graph);
  if (plan.output === plan.inputName) throw new LayersModelFormatError(`model ${graph.name}: the output is the input (no layers)`);
  const used = new Set<string>();
  const steps: NamedStep[] = [];
  try {
    for (const layer of plan.layers) {
      const step = convertLayer({ layer, weight: weightLookup(weights, layer.name, used) });
      steps.push({ ...step, name: layer.name, className: layer.className, inputs: layer.inputs });
    }
  } catch (e) {
    for (const s of steps) for (const p of s.params) p.dispose();
    throw e;
  }
  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length) {
    for (const s of steps) for (const p of s.params) p.dispose();
    throw new LayersModelFormatError(`weights: ${unused.length} stored weights belong to no layer of the graph (${unused.slice(0, 5).join(', ')})`);
  }
  const uses = countUses(plan.layers, plan.output);
  const inputChannels = inputChannelsOf(graph.input.config);
  let disposed = false;

  const run = (x: Tensor): Tensor => {
    if (disposed) throw new Error(`model ${graph.name} was disposed`);
    if (x.rank !== 4 || (inputChannels !== null && x.shape[1] !== inputChannels))
      throw new ShapeError(`model ${graph.name}: input must be [N, ${inputChannels ?? 'C'}, H, W], got ${fmt(x.shape)}`);
    return noGrad(() => {
      const live = new Map<string, Tensor>([[plan.inputName, x]]);
      const left = new Map(uses);
      try {
        for (const s of steps) {
          let y: Tensor;
          try {
            y = s.run(s.inputs.map((n) => live.get(n)!));
          } catch (e) {
            if (e instanceof ShapeError) throw new ShapeError(`layer ${s.name} (${s.className}): ${e.message}`);
            throw e;
          }
          live.set(s.name, y);
          for (const n of s.inputs) {
            const k = left.get(n)! - 1;
            left.set(n, k);
            if (k === 0 && n !== plan.inputName) {
              live.get(n)!.dispose();
              live.delete(n);
            }
          }
        }
        const out = live.get(plan.output)!;
        live.delete(plan.output);
        return out;
      } finally {
        // Normally empty but for the caller's input; after an error, whatever was still held.
        for (const [n, t] of live) if (n !== plan.inputName) t.dispose();
      }
    });
  };

  return {
    name: graph.name,
    inputChannels,
    parameterCount: steps.reduce((n, s) => n + s.params.reduce((m, p) => m + p.size, 0), 0),
    run,
    dispose() {
      disposed = true;
      for (const s of steps) for (const p of s.params) p.dispose();
    },
  };
}
