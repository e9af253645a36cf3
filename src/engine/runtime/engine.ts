/**
 * The engine: one device, its buffer pool, pipeline cache, the open command encoder that batches
 * dispatches, and the profiler. Ops call `runKernel`; nothing is submitted until a read-back, an
 * upload, `flush()`, or the batch limit asks for it.
 */
import { acquireDevice, type AdapterSummary } from './device.js';
import { BufferPool, sizeClass } from './buffer-pool.js';
import { Profiler } from './profiler.js';
import { tuningFor, type Tuning } from './tuning.js';

export interface KernelSpec {
  /** Kernel family name, shown by the profiler. */
  name: string;
  /** Specialisation key: identical keys must produce identical WGSL. */
  key: string;
  /** WGSL source, generated only when the pipeline is not cached yet. */
  code: () => string;
  /** Bindings 0..inputs-1 are read-only storage, then `outputs` read-write storage, then one uniform if `uniform`. */
  inputs: number;
  outputs: number;
  uniform?: boolean;
  entry?: string;
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

export class Engine {
  readonly pool: BufferPool;
  readonly profiler: Profiler;
  readonly tuning: Tuning;
  private pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private uniforms = new Map<string, GPUBuffer>();
  private readbackPool = new Map<number, GPUBuffer[]>();
  /** Buffers waiting to be destroyed (see collectGarbage). */
  private graveyard: GPUBuffer[] = [];
  private encoder?: GPUCommandEncoder;
  private pass?: GPUComputePassEncoder;
  private dispatches = 0;
  private recentKernels: string[] = [];
  submits = 0;

  constructor(readonly device: GPUDevice, readonly adapter: AdapterSummary) {
    this.pool = new BufferPool(device);
    this.profiler = new Profiler(device, device.features.has('timestamp-query'), (b) => this.retire(b));
    this.tuning = tuningFor(adapter);
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      console.error(`[srgan-webgpu] GPU error near kernel(s) [${this.recentKernels.join(', ')}]: ${err.message}`);
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed')
        console.error(`[srgan-webgpu] device lost (${info.reason}) after kernel(s) [${this.recentKernels.join(', ')}]: ${info.message}`);
    });
  }

  private pipelineFor(spec: KernelSpec) {
    const cacheKey = `${spec.name}|${spec.key}|${spec.inputs}|${spec.outputs}|${spec.uniform ? 1 : 0}|${spec.entry ?? 'main'}`;
    let p = this.pipelines.get(cacheKey);
    if (p) return p;
    const entries: GPUBindGroupLayoutEntry[] = [];
    for (let i = 0; i < spec.inputs + spec.outputs; i++)
      entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: i < spec.inputs ? 'read-only-storage' : 'storage' } });
    if (spec.uniform)
      entries.push({ binding: spec.inputs + spec.outputs, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
    const layout = this.device.createBindGroupLayout({ label: spec.name, entries });
    const module = this.device.createShaderModule({ label: `${spec.name}[${spec.key}]`, code: spec.code() });
    const pipeline = this.device.createComputePipeline({
      label: `${spec.name}[${spec.key}]`,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: spec.entry ?? 'main' },
    });
    p = { pipeline, layout };
    this.pipelines.set(cacheKey, p);
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
    if (this.uniforms.size > UNIFORM_CACHE_SIZE) {
      const [oldKey, old] = this.uniforms.entries().next().value as [string, GPUBuffer];
      this.uniforms.delete(oldKey);
      this.retire(old); // may still be bound in the open encoder
    }
    return buf;
  }

  runKernel(spec: KernelSpec, d: Dispatch): void {
    const { pipeline, layout } = this.pipelineFor(spec);
    const entries: GPUBindGroupEntry[] = d.buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (spec.uniform) {
      if (!d.params) throw new Error(`${spec.name}: kernel expects parameters`);
      entries.push({ binding: entries.length, resource: { buffer: this.uniformFor(spec.name, d.params) } });
    }
    if (d.buffers.length !== spec.inputs + spec.outputs)
      throw new Error(`${spec.name}: expected ${spec.inputs + spec.outputs} buffers, got ${d.buffers.length}`);
    const bindGroup = this.device.createBindGroup({ label: spec.name, layout, entries });
    const [x, y = 1, z = 1] = d.workgroups;
    const max = this.adapter.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) throw new Error(`${spec.name}: dispatch ${x}×${y}×${z} exceeds ${max} per dimension`);
    if (x === 0 || y === 0 || z === 0) return;

    this.encoder ??= this.device.createCommandEncoder();
    let pass: GPUComputePassEncoder;
    if (this.profiler.enabled) {
      pass = this.encoder.beginComputePass({ timestampWrites: this.profiler.nextPass(spec.name, d.flops, d.bytes) });
    } else {
      // Without profiling, consecutive dispatches share one pass (fewer pass transitions).
      pass = this.pass ??= this.encoder.beginComputePass();
    }
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler.enabled) pass.end();
    this.recentKernels.push(spec.name);
    if (this.recentKernels.length > 4) this.recentKernels.shift();
    if (++this.dispatches >= MAX_DISPATCHES_PER_SUBMIT || (this.profiler.enabled && this.profiler.full)) this.flush();
  }

  /** The open encoder, with any compute pass closed, for copies. */
  commandEncoder(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = undefined;
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    const enc = this.commandEncoder();
    const batch = this.profiler.enabled ? this.profiler.resolveInto(enc) : undefined;
    this.device.queue.submit([enc.finish()]);
    this.submits++;
    this.encoder = undefined;
    this.dispatches = 0;
    if (batch) this.profiler.collect(batch);
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
    this.flush();
    this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copy `bytes` of a buffer back to the CPU. */
  async read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    // Staging buffers are pooled by size class: a training loop reads its loss every step.
    const cls = sizeClass(size);
    const staging = this.readbackPool.get(cls)?.pop() ??
      this.device.createBuffer({ label: 'readback', size: cls, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.commandEncoder().copyBufferToBuffer(buffer, offset, staging, 0, size);
    this.flush();
    const submit = this.submits;
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    const free = this.readbackPool.get(cls) ?? [];
    if (free.length < 4) this.readbackPool.set(cls, [...free, staging]);
    else this.retire(staging);
    if (this.submits === submit && !this.encoder) this.collectGarbage();
    return out;
  }

  /** Resolves when the GPU has finished everything submitted so far. */
  async sync(): Promise<void> {
    this.flush();
    const submit = this.submits;
    await this.device.queue.onSubmittedWorkDone();
    if (this.submits === submit && !this.encoder) this.collectGarbage();
  }

  memory() {
    return {
      liveBuffers: this.pool.liveBuffers, liveBytes: this.pool.liveBytes,
      pooledBytes: this.pool.pooledBytes, allocatedBytes: this.pool.allocatedBytes,
    };
  }

  destroy(): void {
    this.flush();
    this.device.destroy();
  }
}

let current: Engine | undefined;
let pending: Promise<Engine> | undefined;

/** Create (once) and return the engine. Pass a device to embed the engine in a page that owns one. */
export async function initEngine(opts: { device?: GPUDevice; adapter?: AdapterSummary; log?: (m: string) => void } = {}): Promise<Engine> {
  if (current) return current;
  if (opts.device) return (current = new Engine(opts.device, opts.adapter ?? externalSummary(opts.device)));
  pending ??= acquireDevice({ log: opts.log }).then((d) => (current = new Engine(d.device, d.info)));
  return pending;
}

function externalSummary(device: GPUDevice): AdapterSummary {
  const info = (device as unknown as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const text = `${info?.vendor} ${info?.architecture} ${info?.description}`.toLowerCase();
  const limits: Record<string, number> = {};
  for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension'])
    limits[k] = (device.limits as unknown as Record<string, number>)[k];
  return {
    vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '',
    description: info?.description ?? '', isSoftware: /swiftshader|llvmpipe|lavapipe|cpu/.test(text),
    features: [...device.features], limits, runtime: typeof window === 'undefined' ? 'node' : 'browser',
  };
}

/** The engine created by `initEngine`; ops call this. */
export function engine(): Engine {
  if (!current) throw new Error('srgan-webgpu: call `await initEngine()` before using tensors');
  return current;
}

/** Tear the engine down (tests, CLI exit): the process does not exit while a Dawn device is alive. */
export function destroyEngine(): void {
  current?.destroy();
  current = undefined;
  pending = undefined;
}
