/**
 * Modules: a tree of layers that owns parameters (trained leaves) and buffers (state such as
 * batch-norm running statistics). Names follow the tree as in PyTorch (`body.3.conv1.weight`), and
 * each module lists its own parameters, then its own buffers, then its children, all in the order
 * they were registered, so a state dict has a stable order that matches PyTorch's.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { keep } from '../scope.js';
import { variable } from '../autograd.js';
import { fmt, sameShape } from '../shape.js';
import { EngineError } from '../errors.js';

/** Tensor data on the CPU (a decoded checkpoint entry). */
export interface HostArray {
  shape: readonly number[];
  data: Float32Array;
}

export type StateValue = Tensor | HostArray;
/** What `loadStateDict` accepts: a Map or record by name, or a list of named host tensors. */
export type StateDictSource = Map<string, StateValue> | Record<string, StateValue> | readonly (HostArray & { name: string })[];

export interface LoadResult {
  missing: string[];
  unexpected: string[];
}

export class StateDictError extends EngineError {
  override name = 'StateDictError';
  constructor(
    message: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: { key: string; expected: number[]; got: number[] }[],
  ) {
    super(message);
  }
}

export abstract class Module {
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownChildren = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Sugar for `forward`, so a model reads like a function: `model.call(x)`. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  // ------------------------------------------------------------ registration

  /** Make `t` a trainable leaf owned by this module (taken out of any open scope). */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkName(name);
    t.name = name;
    this.ownParams.set(name, variable(t));
    return t;
  }

  /** State that is saved and loaded but not trained (running statistics). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.checkName(name);
    t.name = name;
    this.ownBuffers.set(name, keep(t));
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    this.ownChildren.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (!name || name.includes('.')) throw new EngineError(`${this.constructor.name}: invalid name "${name}" (non-empty, no dots)`);
    if (this.ownParams.has(name) || this.ownBuffers.has(name) || this.ownChildren.has(name))
      throw new EngineError(`${this.constructor.name}: "${name}" is already registered`);
  }

  // ------------------------------------------------------------ tree walks

  namedChildren(): [string, Module][] {
    return [...this.ownChildren];
  }

  /** This module and every descendant, each with its dotted path ('' for the root). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.ownChildren) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  namedParameters(): [string, Tensor][] {
    return this.namedModules().flatMap(([path, m]) => [...m.ownParams].map(([n, t]): [string, Tensor] => [join(path, n), t]));
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    return this.namedModules().flatMap(([path, m]) => [...m.ownBuffers].map(([n, t]): [string, Tensor] => [join(path, n), t]));
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, t) => n + t.size, 0);
  }

  /** Training mode for this module and all its descendants (batch norm uses batch statistics). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Free every parameter's gradient (before the next backward, which would otherwise accumulate). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = undefined;
    }
  }

  // ------------------------------------------------------------ state dicts

  /**
   * Parameters and buffers by full name, per module: parameters, then buffers, then children.
   * The values are the module's own tensors, not copies: read them, do not dispose them.
   */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [path, m] of this.namedModules()) {
      for (const [n, t] of m.ownParams) out.set(join(path, n), t);
      for (const [n, t] of m.ownBuffers) out.set(join(path, n), t);
    }
    return out;
  }

  /**
   * Copy values into the existing tensors (so an optimizer holding them stays valid).
   * Everything is checked before anything is written: a shape mismatch always fails, and in
   * strict mode so do missing and unexpected keys; the error lists every problem at once.
   */
  loadStateDict(source: StateDictSource, { strict = true }: { strict?: boolean } = {}): LoadResult {
    const incoming = toMap(source);
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !incoming.has(k));
    const unexpected = [...incoming.keys()].filter((k) => !own.has(k));
    const mismatched: StateDictError['mismatched'] = [];
    for (const [key, target] of own) {
      const v = incoming.get(key);
      if (v && !sameShape(v.shape, target.shape)) mismatched.push({ key, expected: [...target.shape], got: [...v.shape] });
      else if (v && !(v instanceof Tensor) && v.data.length !== target.size)
        mismatched.push({ key, expected: [...target.shape], got: [v.data.length] });
    }
    const problems: string[] = mismatched.map((m) => `size mismatch for ${m.key}: checkpoint has ${fmt(m.got)}, model has ${fmt(m.expected)}`);
    if (strict && missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
    if (strict && unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (problems.length) throw new StateDictError(`loadStateDict(${this.constructor.name}): ${problems.join('; ')}`, missing, unexpected, mismatched);

    for (const [key, target] of own) {
      const v = incoming.get(key);
      if (v) copyInto(target, v);
    }
    return { missing, unexpected };
  }

  /** Free every parameter and buffer of the tree. The module is unusable afterwards. */
  dispose(): void {
    for (const [, t] of this.stateDict()) t.dispose();
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function toMap(source: StateDictSource): Map<string, StateValue> {
  if (source instanceof Map) return source;
  if (Array.isArray(source)) return new Map(source.map((t) => [t.name, t]));
  return new Map(Object.entries(source as Record<string, StateValue>));
}

function copyInto(target: Tensor, v: StateValue): void {
  if (v === target || target.size === 0) return;
  const eng = engine();
  if (eng.kind === 'cpu') {
    target.data.set(v.data);
  } else if (v instanceof Tensor) {
    // Recorded in the open encoder, so it is ordered after pending kernels that read `target`; through
    // copyBuffer, so a failed batch also fails later reads of `target` (see runtime/batches.ts).
    eng.copyBuffer(v.buffer, 0, target.buffer, 0, target.size * 4);
  } else {
    eng.write(target.buffer, v.data);
  }
}
