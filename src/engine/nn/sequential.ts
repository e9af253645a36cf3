/** A chain of modules, named 0, 1, 2… as in PyTorch's nn.Sequential. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

export class Sequential extends Module {
  private readonly layers: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  append(m: Module): this {
    this.layers.push(this.registerModule(String(this.layers.length), m));
    return this;
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module {
    const m = this.layers.at(i);
    if (!m) throw new RangeError(`Sequential: no layer ${i} (length ${this.layers.length})`);
    return m;
  }

  forward(x: Tensor): Tensor {
    // Intermediates belong to the caller's scope (or the graph), as with any composite op.
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }
}
