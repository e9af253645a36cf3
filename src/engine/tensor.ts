/**
 * Tensors: f32, contiguous, row-major. A tensor references a refcounted Storage so that `reshape`
 * shares memory; other layout changes (permute, slice, concat) are copies made by kernels. The
 * storage is a GPUBuffer on the WebGPU backend and a block of the WebAssembly heap on the CPU one.
 */
import { engine, type Engine } from './runtime/engine.js';
import { track } from './scope.js';
import { fmt, numel, ShapeError, type Shape } from './shape.js';
import { releaseNode, type GradNode } from './graph.js';
import { DeviceLostError, EngineError } from './errors.js';
import { HeapBlock } from './cpu/heap.js';

export class Storage {
  refs = 1;
  /** The engine (device) that owns the memory: a tensor cannot outlive its device. */
  constructor(
    readonly handle: GPUBuffer | HeapBlock,
    readonly bytes: number,
    readonly owner: Engine = engine(),
  ) {}
  get buffer(): GPUBuffer {
    if (this.handle instanceof HeapBlock)
      throw new EngineError('this tensor lives on the CPU backend: a WebGPU kernel cannot bind it (the op has no CPU path?)');
    return this.handle;
  }
  get block(): HeapBlock {
    if (!(this.handle instanceof HeapBlock)) throw new EngineError('this tensor lives on a GPU: its data is read with `await read()`');
    return this.handle;
  }
  release(): void {
    if (--this.refs > 0) return;
    // The owner's pool, not engine(): disposing tensors of a lost device must still work.
    if (this.owner.kind === 'cpu') this.owner.heap.release(this.block);
    else this.owner.pool.release(this.buffer);
  }
}

let liveTensors = 0;
let nextId = 1;

export class Tensor {
  readonly isTensor = true;
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly size: number;
  requiresGrad = false;
  grad?: Tensor;
  /** How this tensor was made, for backward(); absent on leaves and under noGrad. */
  node?: GradNode;
  /** Number of live graph nodes that use this tensor (as input or saved). */
  graphRefs = 0;
  /** Set when a scope ended while a graph still used this tensor: the graph now owns it. */
  graphOwned = false;
  /** The op whose graph node a `backward` released: backpropagating through it again is an error. */
  freedNodeOp?: string;
  private _storage?: Storage;
  name?: string;

  constructor(storage: Storage, shape: Shape) {
    this._storage = storage;
    this.shape = Object.freeze([...shape]);
    this.size = numel(shape);
    liveTensors++;
    track(this);
  }

  get storage(): Storage {
    const s = this._storage;
    if (!s) throw new EngineError(`${this.describe()} was used after dispose()`);
    const lost = s.owner.lostError;
    if (lost) throw new DeviceLostError(lost.reason, lost.gpuMessage, `${this.describe()} lives on a GPU device that is gone`);
    return s;
  }
  private describe(): string {
    return `Tensor#${this.id}${this.name ? ` (${this.name})` : ''} ${fmt(this.shape)}`;
  }
  get buffer(): GPUBuffer {
    return this.storage.buffer;
  }
  /**
   * CPU backend: the tensor's floats, as a view of the heap (kernels read and write through it).
   * Take it after any allocation: a growing heap replaces the memory the view points into.
   */
  get data(): Float32Array {
    const s = this.storage;
    if (s.owner.kind !== 'cpu') throw new EngineError(`${this.describe()} lives on a GPU: read it with \`await read()\``);
    return s.owner.heap.view(s.block, this.size);
  }
  get rank(): number {
    return this.shape.length;
  }
  get disposed(): boolean {
    return !this._storage;
  }

  /**
   * Allocate an uninitialised tensor (kernels write every element). Throws GpuLimitError, before
   * anything is allocated, when the adapter cannot hold or bind it; OutOfMemoryError when the GPU
   * cannot allocate it even after the pool gave back its idle buffers.
   */
  static empty(shape: Shape): Tensor {
    for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new ShapeError(`empty: invalid shape ${fmt(shape)}`);
    const bytes = Math.max(4, numel(shape) * 4);
    const eng = engine();
    return new Tensor(new Storage(eng.kind === 'cpu' ? eng.allocate(bytes) : eng.allocate(bytes, shape), bytes, eng), shape);
  }

  static fromArray(data: ArrayLike<number>, shape: Shape): Tensor {
    if (data.length !== numel(shape))
      throw new ShapeError(`fromArray: ${data.length} values do not fill shape ${fmt(shape)} (${numel(shape)} elements)`);
    const t = Tensor.empty(shape);
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    if (!arr.length) return t;
    const eng = engine();
    if (eng.kind === 'cpu') t.data.set(arr);
    else eng.write(t.buffer, arr);
    return t;
  }

  static scalar(v: number): Tensor {
    return Tensor.fromArray([v], []);
  }

  /** A view with a new shape over the same storage (one -1 dimension is inferred). */
  reshapeView(shape: Shape): Tensor {
    const target = [...shape];
    const infer = target.indexOf(-1);
    if (infer >= 0) target[infer] = this.size / numel(target.filter((_, i) => i !== infer));
    if (numel(target) !== this.size || !target.every((d) => Number.isInteger(d) && d >= 0))
      throw new ShapeError(`reshape: cannot view ${fmt(this.shape)} (${this.size} elements) as ${fmt(shape)}`);
    this.storage.refs++;
    return new Tensor(this.storage, target);
  }

  async read(): Promise<Float32Array> {
    if (this.size === 0) return new Float32Array(0);
    const s = this.storage;
    if (s.owner.kind === 'cpu') {
      const copy = this.data.slice();
      await s.owner.sync(); // lets the event loop run now and then (see CpuEngine.breathe)
      return copy;
    }
    return new Float32Array(await s.owner.read(s.buffer, this.size * 4));
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError(`item: tensor ${fmt(this.shape)} has ${this.size} elements, not 1`);
    return (await this.read())[0];
  }

  /** Same data, cut from the graph. Shares storage. */
  detach(): Tensor {
    this.storage.refs++;
    return new Tensor(this.storage, this.shape);
  }

  /** Free the GPU memory (idempotent). The gradient, if any, is freed with it. */
  dispose(): void {
    if (!this._storage) return;
    this._storage.release();
    this._storage = undefined;
    releaseNode(this);
    liveTensors--;
    this.grad?.dispose();
    this.grad = undefined;
  }

  toString(): string {
    return `Tensor${fmt(this.shape)}${this.requiresGrad ? ' requiresGrad' : ''}`;
  }
}

export function liveTensorCount(): number {
  return liveTensors;
}
