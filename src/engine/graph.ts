/**
 * A tensor's autograd node, and its release. Apart from autograd.ts so that tensor.ts (which owns
 * `node` and releases it on dispose) does not import the autodiff walk, which imports tensors.
 */
import type { Tensor } from './tensor.js';

export interface GradNode {
  op: string;
  inputs: Tensor[];
  /** Extra forward tensors the backward needs (e.g. batch statistics); owned by the node. */
  saved?: Tensor[];
  /** Gradients for each input given the output gradient; entries whose `needs` is false may be null. */
  backward(grad: Tensor, needs: boolean[]): (Tensor | null)[];
}

/**
 * Drop a tensor's node. Intermediates that a scope handed to the graph (graphOwned) are freed
 * when the last node that uses them goes, so a graph that is never backpropagated leaks nothing.
 */
export function releaseNode(t: Tensor): void {
  const node = t.node;
  if (!node) return;
  t.node = undefined;
  for (const x of [...node.inputs, ...(node.saved ?? [])]) {
    x.graphRefs--;
    if (x.graphOwned && x.graphRefs === 0) x.dispose();
  }
}
