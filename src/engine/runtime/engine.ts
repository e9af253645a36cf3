/**
 * The engine: one device, its buffer pool, pipeline cache, the open command encoder that batches
 * dispatches, and the profiler. Ops call `runKernel`; nothing is submitted until a read-back, an
 * upload, `flush()`, or the batch limit asks for it. Faults are typed (see ../errors.ts): limits
 * are checked before anything is recorded, GPU errors are attributed to batches (batches.ts), and
 * a lost device makes every pending and later op reject until `initEngine()` makes a new engine.
 */
import { acquireDevice, externalSummary, findAdapter, NoAdapterError, type AcquireOptions, type AdapterSummary } from './device.js';
import { CpuEngine, type CpuOptions } from '../cpu/cpu-engine.js';
import { BufferPool, sizeClass } from './buffer-pool.js';
import { Profiler } from './profiler.js';
import { tuningFor, type Tuning } from './tuning.js';
import { BatchTracker, type Batch } from './batches.js';
import { checkDispatch, type DeviceLimits } from './limits.js';
import { DeviceLostError, EngineError } from '../errors.js';
import { bindingHeader, type KernelBindings } from '../kernels/bindings.js';

interface KernelBase {
  /** Kernel family name, shown by the profiler. */
  name: string;
  /** Specialisation key: identical keys must produce identical WGSL. */
  key: string;
  /** WGSL source, generated only when the pipeline is not cached yet. */
  code: () => string;
  entry?: string;
}

/**
 * A kernel whose bindings are named (the engine's own kernels): the engine writes their declarations
 * (kernels/bindings.ts) in front of `code()`, which holds everything after them.
 */
export interface NamedKernelSpec extends KernelBase, KernelBindings {}

/**
 * A kernel whose bindings are counted: `code()` declares them itself, in the engine's order
 * (0..inputs-1 read-only storage, then `outputs` read-write storage, then one uniform if `uniform`).
 */
export interface CountedKernelSpec extends KernelBase {
  inputs: number;
  outputs: number;
  uniform?: boolean;
}

export type KernelSpec = NamedKernelSpec | CountedKernelSpec;

/** Binding counts and the whole WGSL of either form. */
function layoutOf(spec: KernelSpec) {
  if (typeof spec.inputs === 'number') {
    const s = spec as CountedKernelSpec;
    return { inputs: s.inputs, outputs: s.outputs, uniform: !!s.uniform, code: () => s.code() };
  }
  const s = spec as NamedKernelSpec;
  return { inputs: s.inputs.length, outputs: s.outputs.length, uniform: !!s.uniform, code: () => `${bindingHeader(s)}\n${s.code()}` };
}

export interface Dispatch {
  buffers: GPUBuffer[];
  params?: ArrayBufferView;
  workgroups: [number, number?, number?];
  /** Work done, for the profiler's GFLOPS / GB/s columns. */
  flops?: number;
  bytes?: number;
}

const MAX_DISPATCHES_PER_SUBMIT = 512;
const UNIFORM_CACHE_SIZE = 2048;

/** The WebGPU backend: a GPUDevice (hardware, or a software adapter such as SwiftShader). */
export class WebGpuEngine {
  readonly kind = 'webgpu' as const;
  readonly pool: BufferPool;
  readonly profiler: Profiler;
  readonly tuning: Tuning;
  readonly limits: DeviceLimits;
  /** Resolves (never rejects) when the device is lost or the engine destroyed; see also `onDeviceLost`. */
  readonly lost: Promise<DeviceLostError>;
  /** Set once the device is gone: every op then throws it. */
  lostError?: DeviceLostError;
  private batches: BatchTracker;
  private pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private uniforms = new Map<string, GPUBuffer>();
  private readbackPool = new Map<number, GPUBuffer[]>();
  /** Buffers waiting to be destroyed (see collectGarbage). */
  private graveyard: GPUBuffer[] = [];
  private encoder?: GPUCommandEncoder;
  private pass?: GPUComputePassEncoder;
  private dispatches = 0;
  submits = 0;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
  ) {
    this.limits = device.limits as unknown as DeviceLimits;
    this.pool = new BufferPool(device, this.limits, (b) => this.retire(b));
    this.profiler = new Profiler(device, device.features.has('timestamp-query'), (b) => this.retire(b));
    this.tuning = tuningFor(adapter);
    this.batches = new BatchTracker(
      device,
      () => this.pool.takePendingChecks(),
      (b, err) => this.batchFailed(b, err),
      () => this.pool,
    );
    // Errors outside the engine's scopes (another library on the same device) are still shown.
    device.addEventListener('uncapturederror', (ev) => {
      console.error(`[srgan-webgpu] GPU error outside the engine's batches: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    });
    this.lost = device.lost.then((info) => {
      this.lostError ??= new DeviceLostError(info.reason, info.message);
      if (this !== closing) for (const fn of lostListeners) fn(this.lostError, this);
      return this.lostError;
    });
  }

  /** Throws DeviceLostError once the device is gone, so nothing is recorded on a dead device. */
  assertAlive(): void {
    if (this.lostError) throw this.lostError;
  }

  /** A batch's own GPU error: say so even if nobody reads, and drop what it created (it may be invalid). */
  private batchFailed(b: Batch, err: EngineError): void {
    if (this.lostError) return; // a lost device fails everything; that is reported once, as DeviceLostError
    console.error(`[srgan-webgpu] ${err.message}`);
    for (const k of b.newPipelines) this.pipelines.delete(k);
    for (const k of b.newUniforms) {
      const buf = this.uniforms.get(k);
      if (buf) {
        this.uniforms.delete(k);
        this.retire(buf);
      }
    }
  }

  private pipelineFor(spec: KernelSpec, b: ReturnType<typeof layoutOf>) {
    // Named bindings join into the key (with their types), so two specs that differ only there never share a pipeline.
    const cacheKey = `${spec.name}|${spec.key}|${String(spec.inputs)}|${String(spec.outputs)}|${spec.uniform ? String(spec.uniform) : 0}|${spec.entry ?? 'main'}`;
    let p = this.pipelines.get(cacheKey);
    if (p) return p;
    const entries: GPUBindGroupLayoutEntry[] = [];
    for (let i = 0; i < b.inputs + b.outputs; i++)
      entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: i < b.inputs ? 'read-only-storage' : 'storage' } });
    if (b.uniform) entries.push({ binding: b.inputs + b.outputs, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
    const layout = this.device.createBindGroupLayout({ label: spec.name, entries });
    const module = this.device.createShaderModule({ label: `${spec.name}[${spec.key}]`, code: b.code() });
    const pipeline = this.device.createComputePipeline({
      label: `${spec.name}[${spec.key}]`,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: spec.entry ?? 'main' },
    });
    p = { pipeline, layout };
    this.pipelines.set(cacheKey, p);
    this.batches.current.newPipelines.push(cacheKey);
    return p;
  }

  /** Uniform buffers are immutable and cached by content, so parameters never need a queue write. */
  private uniformFor(name: string, params: ArrayBufferView): GPUBuffer {
    const words = new Uint32Array(params.buffer, params.byteOffset, Math.ceil(params.byteLength / 4));
    const key = name + ':' + words.join(',');
    let buf = this.uniforms.get(key);
    if (buf) {
      this.uniforms.delete(key); // re-insert: Map order doubles as LRU order
      this.uniforms.set(key, buf);
      return buf;
    }
    const size = Math.max(16, Math.ceil(params.byteLength / 16) * 16);
    buf = this.device.createBuffer({ label: `${name}-params`, size, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
    new Uint8Array(buf.getMappedRange()).set(new Uint8Array(params.buffer, params.byteOffset, params.byteLength));
    buf.unmap();
    this.uniforms.set(key, buf);
    this.batches.current.newUniforms.push(key);
    if (this.uniforms.size > UNIFORM_CACHE_SIZE) {
      const [oldKey, old] = this.uniforms.entries().next().value as [string, GPUBuffer];
      this.uniforms.delete(oldKey);
      this.retire(old); // may still be bound in the open encoder
    }
    return buf;
  }

  /**
   * Record one dispatch. Everything that can be checked here is checked before anything is
   * created: a bad dispatch throws (GpuLimitError for limits) and leaves no trace.
   */
  runKernel(spec: KernelSpec, d: Dispatch): void {
    this.assertAlive();
    const b = layoutOf(spec);
    if (d.buffers.length !== b.inputs + b.outputs) throw new Error(`${spec.name}: expected ${b.inputs + b.outputs} buffers, got ${d.buffers.length}`);
    if (b.uniform && !d.params) throw new Error(`${spec.name}: kernel expects parameters`);
    const [x, y = 1, z = 1] = d.workgroups;
    checkDispatch(this.limits, spec.name, [x, y, z], d.buffers);
    if (x === 0 || y === 0 || z === 0) return;

    const { pipeline, layout } = this.pipelineFor(spec, b);
    const entries: GPUBindGroupEntry[] = d.buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (b.uniform) entries.push({ binding: entries.length, resource: { buffer: this.uniformFor(spec.name, d.params!) } });
    const bindGroup = this.device.createBindGroup({ label: spec.name, layout, entries });

    this.encoder ??= this.device.createCommandEncoder();
    let pass: GPUComputePassEncoder;
    if (this.profiler.enabled) {
      // Each timed dispatch gets its own pass; a shared pass left open from before the profiler was
      // switched on must be closed first (an encoder cannot begin a pass while another is open).
      pass = this.commandEncoder().beginComputePass({ timestampWrites: this.profiler.nextPass(spec.name, d.flops, d.bytes) });
    } else {
      // Without profiling, consecutive dispatches share one pass (fewer pass transitions).
      pass = this.pass ??= this.encoder.beginComputePass();
    }
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler.enabled) pass.end();
    // Outputs are read too: some kernels accumulate into them.
    this.batches.record(spec.name, d.buffers, d.buffers.slice(b.inputs));
    if (++this.dispatches >= MAX_DISPATCHES_PER_SUBMIT || (this.profiler.enabled && this.profiler.full)) this.flush();
  }

  /**
   * The open encoder, with any compute pass closed, for copies. Prefer `copyBuffer`, which also
   * tells the error tracking that `dst` now depends on this batch.
   */
  commandEncoder(): GPUCommandEncoder {
    this.assertAlive();
    this.pass?.end();
    this.pass = undefined;
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /**
   * A storage buffer for a new tensor (see BufferPool.acquire for the errors). A recycled buffer's
   * old contents are dropped from error tracking, so a fresh output never inherits a failure.
   */
  allocate(bytes: number, shape?: readonly number[]): GPUBuffer {
    const buffer = this.pool.acquire(bytes, shape);
    this.batches.forget(buffer);
    return buffer;
  }

  /** Record a buffer-to-buffer copy in the open batch. */
  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.batches.record(undefined, [src], [dst]);
  }

  /** Submit everything recorded so far. Returns the batch it closed, if there was one. */
  flush(): Batch | undefined {
    if (!this.encoder || this.lostError) return undefined;
    const enc = this.commandEncoder();
    const batch = this.profiler.enabled ? this.profiler.resolveInto(enc) : undefined;
    this.device.queue.submit([enc.finish()]);
    this.submits++;
    this.encoder = undefined;
    this.dispatches = 0;
    if (batch) this.profiler.collect(batch);
    return this.batches.close();
  }

  /** Wait for `p`, unless the device is lost first (a lost device may never settle it). */
  private untilLost<T>(p: Promise<T>): Promise<T> {
    return Promise.race([
      p,
      this.lost.then((e) => {
        throw e;
      }),
    ]);
  }

  /** Rejects with the batch's error (its own, or one inherited from a batch whose output it read). */
  private async settle(batch: Batch | undefined): Promise<void> {
    const err = batch?.final ? await this.untilLost(batch.final) : null;
    this.assertAlive();
    if (err) throw err;
  }

  /** Destroy `buffer` once the GPU can no longer be using it. */
  retire(buffer: GPUBuffer): void {
    this.graveyard.push(buffer);
  }

  /**
   * Destroy retired buffers, called only when the queue is known to be idle (a read-back of the
   * latest submit has completed). Destroying a buffer while SwiftShader still runs other work
   * crashes Dawn's Vulkan backend, although the spec allows it.
   */
  private collectGarbage(): void {
    for (const b of this.graveyard) b.destroy();
    this.graveyard = [];
  }

  /**
   * Upload into a buffer. Work recorded so far is submitted first: `queue.writeBuffer` runs on the
   * queue timeline, so it must not overtake kernels that still read the buffer's old contents.
   */
  write(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    this.assertAlive();
    this.flush();
    this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
    this.batches.record(undefined, [], [buffer]);
  }

  /**
   * Copy `bytes` of a buffer back to the CPU. Rejects with the typed error of any failed batch the
   * data depends on (never returns what a dropped batch left behind), or with DeviceLostError.
   */
  async read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    this.assertAlive();
    const size = Math.ceil(bytes / 4) * 4;
    // Staging buffers are pooled by size class: a training loop reads its loss every step.
    const cls = sizeClass(size);
    const staging =
      this.readbackPool.get(cls)?.pop() ??
      this.device.createBuffer({ label: 'readback', size: cls, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.copyBuffer(buffer, offset, staging, 0, size);
    const batch = this.flush();
    const submit = this.submits;
    let mapError: unknown;
    await this.untilLost(staging.mapAsync(GPUMapMode.READ, 0, size)).catch((e) => (mapError = e));
    try {
      await this.settle(batch);
      // A map aborted by device loss can fail before `device.lost` resolves: give the loss a moment to land.
      if (mapError) await Promise.race([this.lost, new Promise((r) => setTimeout(r, 100))]);
      this.assertAlive();
      if (mapError) throw mapError;
    } catch (e) {
      // The staging buffer may have been made in the failed batch: don't pool it.
      if (staging.mapState === 'mapped') staging.unmap();
      this.retire(staging);
      throw e;
    }
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    const free = this.readbackPool.get(cls) ?? [];
    if (free.length < 4) this.readbackPool.set(cls, [...free, staging]);
    else this.retire(staging);
    if (this.submits === submit && !this.encoder) this.collectGarbage();
    return out;
  }

  /**
   * Resolves when the GPU has finished everything submitted so far; rejects with the error of
   * the last batch if it failed (or depends on one that did).
   */
  async sync(): Promise<void> {
    this.assertAlive();
    const batch = this.flush() ?? (this.batches.current.active ? this.batches.close() : undefined);
    const submit = this.submits;
    await this.untilLost(this.device.queue.onSubmittedWorkDone());
    await this.settle(batch);
    if (this.submits === submit && !this.encoder) this.collectGarbage();
  }

  memory() {
    return {
      liveBuffers: this.pool.liveBuffers,
      liveBytes: this.pool.liveBytes,
      pooledBytes: this.pool.pooledBytes,
      allocatedBytes: this.pool.allocatedBytes,
    };
  }

  /** Destroy the device. Pending and later ops reject with DeviceLostError (reason 'engine-destroyed'). */
  destroy(): void {
    if (!this.lostError) this.flush();
    this.lostError ??= new DeviceLostError('engine-destroyed', '', 'the engine was destroyed by destroyEngine()');
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- remembers which engine is closing, not an alias
    closing = this;
    this.device.destroy();
  }
}

/** Either backend; ops branch on `kind` ('webgpu' | 'cpu'). */
export type Engine = WebGpuEngine | CpuEngine;
export type BackendName = Engine['kind'];

let current: Engine | undefined;
let pending: Promise<Engine> | undefined;
/** The engine being destroyed on purpose: its device loss is not news to `onDeviceLost` listeners. */
let closing: WebGpuEngine | undefined;
const lostListeners = new Set<(err: DeviceLostError, lost: Engine) => void>();

/**
 * Call `fn` whenever an engine's device is lost (driver reset, `device.destroy()`), but not for
 * `destroyEngine()`. By then every pending op has rejected; `await initEngine()` gives a new engine,
 * and tensors must be recreated (reload the checkpoint). Returns an unsubscribe function.
 */
export function onDeviceLost(fn: (err: DeviceLostError, lost: Engine) => void): () => void {
  lostListeners.add(fn);
  return () => lostListeners.delete(fn);
}

export interface InitOptions extends AcquireOptions, CpuOptions {
  /** Embed the engine in a page that owns a device (implies the WebGPU backend). */
  device?: GPUDevice;
  adapter?: AdapterSummary;
  /**
   * 'auto' (the default): a hardware WebGPU adapter when there is one; otherwise the CPU backend,
   * which beats a software adapter (SwiftShader) many times over. The environment variable
   * SRGAN_BACKEND (webgpu | cpu | auto) sets the default in Node.
   */
  backend?: BackendName | 'auto';
}

function requestedBackend(opts: InitOptions): BackendName | 'auto' {
  if (opts.device) return 'webgpu';
  if (opts.backend) return opts.backend;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SRGAN_BACKEND;
  return env === 'cpu' || env === 'webgpu' || env === 'auto' ? env : 'auto';
}

async function createEngine(opts: InitOptions): Promise<Engine> {
  if (opts.device) return new WebGpuEngine(opts.device, opts.adapter ?? externalSummary(opts.device));
  const want = requestedBackend(opts);
  if (want === 'cpu') return CpuEngine.create(opts);
  if (want === 'webgpu') {
    const d = await acquireDevice(opts);
    return new WebGpuEngine(d.device, d.info);
  }
  const log = opts.log ?? ((m: string) => console.warn(`[srgan-webgpu] ${m}`));
  let found;
  try {
    found = await findAdapter();
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    const cpu = await CpuEngine.create(opts);
    log(`no WebGPU adapter here; using the CPU backend (${cpu.adapter.description})`);
    return cpu;
  }
  if (found.isSoftware) {
    const cpu = await CpuEngine.create(opts);
    log(
      `only a software WebGPU adapter (${found.description}); using the CPU backend (${cpu.adapter.description}), ` +
        "which is much faster on this machine (backend: 'webgpu' or --backend webgpu uses the adapter)",
    );
    return cpu;
  }
  const d = await acquireDevice(opts, found);
  return new WebGpuEngine(d.device, d.info);
}

/**
 * Create and return the engine; later calls return the same one. After its device is lost, the
 * next call acquires a new device and returns a fresh engine (tensors of the old one stay unusable).
 */
export async function initEngine(opts: InitOptions = {}): Promise<Engine> {
  if (current?.lostError) current = pending = undefined;
  if (current) return current;
  pending ??= createEngine(opts).then(
    (e) => (current = e),
    (e) => {
      pending = undefined; // a failed acquisition can be retried
      throw e;
    },
  );
  return pending;
}

/** The engine created by `initEngine`; ops call this. Throws DeviceLostError once its device is gone. */
export function engine(): Engine {
  if (!current) throw new EngineError('srgan-webgpu: call `await initEngine()` before using tensors');
  current.assertAlive();
  return current;
}

/** Tear the engine down (tests, CLI exit): the process does not exit while a Dawn device is alive. */
export function destroyEngine(): void {
  current?.destroy();
  current = undefined;
  pending = undefined;
}
