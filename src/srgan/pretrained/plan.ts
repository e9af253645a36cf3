/**
 * Load-time rewrites of a parsed graph, each exact (same values, fewer passes over memory):
 *   - Activation('linear') is the identity: its consumers read its input instead.
 *   - Conv2D → Activation('relu'), where the activation is the conv's only consumer: the relu runs
 *     in the conv's epilogue (the RDN/RRDN blocks are full of this pair).
 *   - Conv2D → PixelShuffle{r}x, where the shuffle is the conv's only consumer: the conv's output
 *     channels are reordered once (weights and bias) so that the engine's PyTorch-order pixel
 *     shuffle yields TF's depth_to_space. Other producers get a runtime reorder instead.
 */
import type { ParsedGraph } from './layers-format.js';
import { depthToSpaceOrder, pixelShuffleFactor, type PlannedLayer } from './layer-ops.js';

export interface GraphPlan {
  inputName: string;
  output: string;
  layers: PlannedLayer[];
}

/** How many times each tensor is read: by layers, plus once for the model output. */
export function countUses(layers: readonly PlannedLayer[], output: string): Map<string, number> {
  const uses = new Map<string, number>([[output, 1]]);
  for (const l of layers) for (const n of l.inputs) uses.set(n, (uses.get(n) ?? 0) + 1);
  return uses;
}

/** Drop `removed`, pointing every reader of it (and the output) at `replacement`. */
function bypass(plan: GraphPlan, removed: PlannedLayer, replacement: string): void {
  plan.layers = plan.layers.filter((l) => l !== removed);
  for (const l of plan.layers) l.inputs = l.inputs.map((n) => (n === removed.name ? replacement : n));
  if (plan.output === removed.name) plan.output = replacement;
}

export function planGraph(graph: ParsedGraph): GraphPlan {
  const plan: GraphPlan = {
    inputName: graph.input.name,
    output: graph.output,
    layers: graph.layers.map((l) => ({ ...l, inputs: [...l.inputs] })),
  };
  const byName = () => new Map(plan.layers.map((l) => [l.name, l]));

  for (const l of [...plan.layers])
    if (l.className === 'Activation' && (l.config.activation ?? 'linear') === 'linear' && l.inputs.length === 1) bypass(plan, l, l.inputs[0]);

  for (const l of [...plan.layers]) {
    if (l.className !== 'Activation' || l.config.activation !== 'relu') continue;
    const src = byName().get(l.inputs[0]);
    const linearConv = src?.className === 'Conv2D' && (src.config.activation ?? 'linear') === 'linear' && !src.fusedRelu;
    if (!src || !linearConv || countUses(plan.layers, plan.output).get(src.name) !== 1) continue;
    src.fusedRelu = true;
    bypass(plan, l, src.name);
  }

  for (const l of plan.layers) {
    const r = pixelShuffleFactor(l.className);
    const src = r ? byName().get(l.inputs[0]) : undefined;
    if (!r || !src || src.className !== 'Conv2D' || countUses(plan.layers, plan.output).get(src.name) !== 1) continue;
    const filters = Number(src.config.filters);
    // A filter count that r² does not divide is left alone: the shuffle then reports the shape error.
    if (!Number.isInteger(filters) || filters % (r * r) !== 0) continue;
    src.outputOrder = depthToSpaceOrder(r, filters);
    l.inputInShuffleOrder = true;
  }
  return plan;
}
