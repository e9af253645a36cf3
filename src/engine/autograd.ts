/**
 * Reverse-mode autodiff on a tape built implicitly: every differentiable op that sees an input
 * with `requiresGrad` attaches a GradNode to its output. `backward` walks the nodes in reverse
 * topological order, asks each for the gradients of only the inputs that need one, and sums
 * gradients that meet (a tensor used twice). Leaf gradients accumulate into `.grad`.
 */
import { Tensor } from './tensor.js';
import { keep } from './scope.js';
import { fmt, sameShape, ShapeError } from './shape.js';
import { fill } from './ops/fill.js';
import { EngineError, GraphFreedError } from './errors.js';
import { withOpLabel } from './runtime/limits.js';
import { accumulate } from './runtime/accumulate.js';
import { releaseNode, type GradNode } from './graph.js';

export { releaseNode, type GradNode } from './graph.js';

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` without recording any graph (inference, optimizer steps). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Attach a backward closure to `out` when any input needs a gradient. Returns `out`.
 * The closure may use the inputs, `out` itself, and `saved`; nothing else from the forward.
 * Without a node, `saved` tensors are freed at once.
 */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GradNode['backward'], saved: Tensor[] = []): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, saved, backward };
    for (const t of inputs) t.graphRefs++;
    for (const t of saved) {
      t.graphRefs++;
      t.graphOwned = true;
    }
  } else for (const t of saved) t.dispose();
  return out;
}

/** Mark a tensor as a leaf that collects gradients. */
export function variable(t: Tensor): Tensor {
  t.requiresGrad = true;
  return keep(t);
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: SRResNet graphs are deep enough to worry a recursive walk.
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i === 0 && seen.has(t)) {
      stack.pop();
      continue;
    }
    seen.add(t);
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !seen.has(child)) stack.push([child, 0]);
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Backpropagate from `root`. Without `gradient`, root must have one element (d root = 1).
 * The graph is released afterwards (no retain_graph): intermediate gradients are freed as soon
 * as they are consumed, and only leaf `.grad` tensors remain.
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) throw new EngineError('backward: tensor does not require grad (no input had requiresGrad, or it was made under noGrad)');
  if (!gradient && root.size !== 1) throw new ShapeError(`backward: output ${fmt(root.shape)} is not a scalar; pass the output gradient`);
  if (gradient && !sameShape(gradient.shape, root.shape))
    throw new ShapeError(`backward: gradient ${fmt(gradient.shape)} does not match output ${fmt(root.shape)}`);
  const order = topoOrder(root);
  const freed = order.find((t) => t.freedNodeOp);
  if (freed)
    throw new GraphFreedError(
      `backward: the graph was already freed: ${freed.toString()} (output of ${freed.freedNodeOp}) ` +
        'was backpropagated through by an earlier backward(), which releases the graph. Recompute the forward pass ' +
        'before calling backward again.',
    );
  const grads = new Map<Tensor, Tensor>();
  noGrad(() => {
    grads.set(root, gradient ? gradient.detach() : fill(root.shape, 1));
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (!t.node) {
        // A leaf: accumulate into .grad, which the leaf owns (outside any scope).
        if (t.grad) {
          const sum = accumulate(t.grad, g);
          t.grad.dispose();
          g.dispose();
          t.grad = keep(sum);
        } else t.grad = keep(g);
        continue;
      }
      const node: GradNode = t.node;
      const needs = node.inputs.map((x) => x.requiresGrad);
      // Allocation errors inside a backward name the op being differentiated.
      const inGrads = withOpLabel(`${node.op} backward`, () => node.backward(g, needs));
      g.dispose();
      node.inputs.forEach((x, i) => {
        const gi = inGrads[i];
        if (!needs[i] || !gi) return;
        if (!sameShape(gi.shape, x.shape)) throw new ShapeError(`backward of ${node.op}: gradient ${fmt(gi.shape)} for input ${fmt(x.shape)}`);
        const prev = grads.get(x);
        if (prev) {
          grads.set(x, accumulate(prev, gi));
          prev.dispose();
          gi.dispose();
        } else grads.set(x, gi);
      });
    }
  });
  // Release the graph only now: an intermediate is freed with its last consumer's node, and its
  // own node must survive until its turn in the walk above.
  for (const t of order) {
    if (t.node) t.freedNodeOp = t.node.op;
    releaseNode(t);
  }
}
