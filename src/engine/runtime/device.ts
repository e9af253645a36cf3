/**
 * Device acquisition, platform-neutral. The browser has `navigator.gpu`; Node gets Dawn (npm
 * `webgpu`) from `device-node.ts`, which the engine's Node entry registers through `setNodeGpuSource`.
 */
import { EngineError } from '../errors.js';

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  info: AdapterSummary;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU implementations (SwiftShader); kernels pick register tiling for these. */
  isSoftware: boolean;
  features: string[];
  limits: Record<string, number>;
  runtime: 'browser' | 'node';
  /** Set on the CPU backend's summary (no WebGPU adapter behind it). */
  backend?: 'cpu';
}

export class NoAdapterError extends EngineError {
  override name = 'NoAdapterError';
}

const INSTALL_HINT =
  'Install a WebGPU-capable driver: on Debian/Ubuntu `sudo apt-get install chromium libvulkan1` provides the ' +
  'SwiftShader Vulkan ICD that Dawn can use with no GPU; in a browser, use Chrome/Edge 113+ or enable WebGPU.';

/** Where Node gets its `GPU` object: set by `device-node.ts` when the engine's Node entry is loaded. */
export type NodeGpuSource = () => Promise<{ gpu: GPU; note?: string }>;

let nodeGpuSource: NodeGpuSource | undefined;

/**
 * The injection point that keeps this module platform-neutral: the Node entry (`src/engine/node.ts`)
 * registers Dawn here, so no browser bundle ever sees `webgpu` or `node:*`.
 */
export function setNodeGpuSource(source: NodeGpuSource): void {
  nodeGpuSource = source;
}

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/** The page's `navigator.gpu` (a browser, or a test that installed one); otherwise the Node source. */
async function findGpu(): Promise<{ gpu: GPU; note?: string; runtime: 'browser' | 'node' }> {
  const pageGpu = (globalThis as { navigator?: Navigator }).navigator?.gpu;
  if (pageGpu) return { gpu: pageGpu, runtime: 'browser' };
  if (nodeGpuSource) {
    try {
      return { ...(await nodeGpuSource()), runtime: 'node' };
    } catch (e) {
      throw new NoAdapterError(`Could not load npm 'webgpu' (Dawn): ${(e as Error).message}. ${INSTALL_HINT}`);
    }
  }
  if (inNode()) {
    throw new NoAdapterError(
      "In Node, load the engine through its Node entry: import 'srgan-webgpu' (package.json " +
        'picks it under the `node` condition), or src/engine/node.ts inside this repository.',
    );
  }
  throw new NoAdapterError(`This browser has no navigator.gpu. ${INSTALL_HINT}`);
}

export interface AcquireOptions {
  log?: (msg: string) => void;
  /**
   * Ask for less than the adapter offers, e.g. `{ maxStorageBufferBindingSize: 128 << 20 }` to
   * rehearse a smaller GPU (tile sizes, batch sizes). Each value is capped at the adapter's own.
   */
  limits?: Partial<Record<string, number>>;
}

/** An adapter found but not yet opened: enough to decide between it and the CPU backend. */
export interface FoundAdapter {
  adapter: GPUAdapter;
  isSoftware: boolean;
  description: string;
  runtime: 'browser' | 'node';
  note?: string;
}

/** The WebGPU adapter this platform offers; throws NoAdapterError where there is none. */
export async function findAdapter(): Promise<FoundAdapter> {
  const { gpu, note, runtime } = await findGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(`No WebGPU adapter was found. ${INSTALL_HINT}`);
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const isSoftware = isSoftwareAdapter(info) || (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { adapter, isSoftware, description: info.description || info.vendor || 'unnamed adapter', runtime, note };
}

export async function acquireDevice(opts: AcquireOptions = {}, found?: FoundAdapter): Promise<AcquiredDevice> {
  const log = opts.log ?? ((m: string) => console.warn(`[srgan-webgpu] ${m}`));
  const { adapter, runtime, note: fallbackNote, isSoftware } = found ?? (await findAdapter());

  // Ask for the adapter's real limits: the defaults (128 MiB bindings, 16 KiB workgroup memory) are far lower.
  const requiredLimits: Record<string, number> = {};
  const wanted = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupSizeZ',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage',
  ] as const;
  for (const k of wanted) {
    const offered = (adapter.limits as unknown as Record<string, number>)[k];
    requiredLimits[k] = Math.min(offered, opts.limits?.[k] ?? offered);
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });

  const info = adapter.info ?? ({} as GPUAdapterInfo);
  if (isSoftware)
    log(`no hardware adapter found; running on ${info.description || 'a software adapter'}` + (fallbackNote ? ` — ${fallbackNote}` : ''));
  const limits: Record<string, number> = {};
  for (const k of wanted) limits[k] = (device.limits as unknown as Record<string, number>)[k];
  const summary: AdapterSummary = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isSoftware,
    features: [...device.features].sort(),
    limits,
    runtime,
  };
  return { adapter, device, info: summary };
}

/** CPU implementations (SwiftShader, llvmpipe, lavapipe), by name or by the fallback flag. */
function isSoftwareAdapter(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return /swiftshader|llvmpipe|lavapipe|software|cpu/.test(text) || (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
}

/** A summary for a device the engine did not acquire (a page that owns its own device). */
export function externalSummary(device: GPUDevice): AdapterSummary {
  const info = (device as unknown as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const limits: Record<string, number> = {};
  for (const k of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupsPerDimension',
  ])
    limits[k] = (device.limits as unknown as Record<string, number>)[k];
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isSoftware: !!info && isSoftwareAdapter(info),
    features: [...device.features],
    limits,
    runtime: inNode() ? 'node' : 'browser',
  };
}

/**
 * The adapter in one line, the same everywhere (CLI, app, traces, benchmarks):
 * vendor, architecture and description without repeats, then "(software)" or "(hardware)".
 */
export function describeAdapter(a: Pick<AdapterSummary, 'vendor' | 'architecture' | 'description' | 'isSoftware'>): string {
  const parts = [a.vendor, a.architecture, a.description].map((p) => p.trim()).filter(Boolean);
  // Dawn often repeats the vendor or architecture inside the description ("swiftshader" / "SwiftShader Device").
  const kept = parts.filter((p, i) => !parts.some((q, j) => j !== i && q.toLowerCase().includes(p.toLowerCase()) && (q.length > p.length || j < i)));
  if (a.vendor === 'cpu') return `CPU backend (${a.description})`;
  return `${kept.join(' ') || 'unknown adapter'} (${a.isSoftware ? 'software' : 'hardware'})`;
}
