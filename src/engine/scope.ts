/**
 * Ownership of GPU memory. Every tensor is owned by the innermost open scope when it is created;
 * `tidy` disposes all it owns except what the function returns, which moves to the parent scope.
 * Tensors created outside any scope (parameters, user data) live until `dispose()`.
 */
import type { Tensor } from './tensor.js';
import { EngineError } from './errors.js';

const stack: Set<Tensor>[] = [];

export function track(t: Tensor): void {
  stack[stack.length - 1]?.add(t);
}

/** Remove a tensor from scope ownership: it now lives until disposed explicitly. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of stack) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (!value || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ((value as { isTensor?: boolean }).isTensor) {
    out.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen);
}

/** Run `fn`, then free every tensor it created except those reachable from its (sync) result. */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  stack.pop();
  if (result instanceof Promise) throw new EngineError('tidy: the function must be synchronous; read results after tidy returns');
  const survivors = new Set<Tensor>();
  collect(result, survivors);
  const parent = stack[stack.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.add(t);
    else if (t.graphRefs > 0)
      t.graphOwned = true; // a surviving graph still needs it: the graph frees it
    else t.dispose();
  }
  return result;
}
