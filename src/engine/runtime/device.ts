/**
 * Device acquisition. The browser has `navigator.gpu`; Node gets Dawn through npm `webgpu`.
 * On a machine with no GPU, Dawn needs a Vulkan driver: the SwiftShader ICD that ships inside
 * Debian's `chromium` package works, so we point Vulkan at it when nothing else is found.
 */

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
}

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}

const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

const INSTALL_HINT =
  'Install a WebGPU-capable driver: on Debian/Ubuntu `sudo apt-get install chromium libvulkan1` provides the ' +
  'SwiftShader Vulkan ICD that Dawn can use with no GPU; in a browser, use Chrome/Edge 113+ or enable WebGPU.';

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

let nodeGpuOnce: Promise<{ gpu: GPU; note?: string }> | undefined;

/** One Dawn instance per process: a new device after a device loss comes from the same instance. */
function nodeGpu(): Promise<{ gpu: GPU; note?: string }> {
  nodeGpuOnce ??= createNodeGpu();
  nodeGpuOnce.catch(() => (nodeGpuOnce = undefined));
  return nodeGpuOnce;
}

async function createNodeGpu(): Promise<{ gpu: GPU; note?: string }> {
  // The module name is a variable so that browser bundlers never try to resolve Dawn.
  const moduleName = 'webgpu';
  const fs = await import(/* @vite-ignore */ 'node:fs');
  const dawn = await import(/* @vite-ignore */ moduleName);
  Object.assign(globalThis, dawn.globals);
  let note: string | undefined;
  const env = process.env;
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && !env.SRGAN_NO_SWIFTSHADER) {
    // One Vulkan instance sees the system's drivers plus SwiftShader; Dawn ranks hardware adapters
    // above CPU ones, so SwiftShader is only the fallback. (A second instance for probing is not
    // an option: a discarded Dawn instance crashes the process when it is garbage-collected.)
    const icd = SWIFTSHADER_ICDS.find((p) => fs.existsSync(p));
    if (icd) {
      const system = ICD_DIRS.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).map((f: string) => `${d}/${f}`) : []))
        // Mesa's lavapipe is a CPU driver that Dawn rejects (missing features); leaving it out keeps the log clean.
        .filter((f: string) => f.endsWith('.json') && !/lvp_icd/.test(f));
      env.VK_ICD_FILENAMES = [...system, icd].join(':');
      note = `SwiftShader (${icd}) is available as the fallback adapter`;
    }
  }
  const gpu = dawn.create([]) as GPU;
  // Dawn's Node binding polls the instance for callbacks; if the GPU object is garbage-collected
  // while a device lives, the next poll dereferences a freed instance and the process dies.
  liveInstances.push(gpu);
  return { gpu, note };
}

const liveInstances: GPU[] = [];

// Node without a navigator.gpu of its own; a page (or a test that installed navigator.gpu) uses it.
const isNode = typeof process !== 'undefined' && !!process.versions?.node &&
  !(globalThis as { navigator?: Navigator }).navigator?.gpu;

export interface AcquireOptions {
  log?: (msg: string) => void;
  /**
   * Ask for less than the adapter offers, e.g. `{ maxStorageBufferBindingSize: 128 << 20 }` to
   * rehearse a smaller GPU (tile sizes, batch sizes). Each value is capped at the adapter's own.
   */
  limits?: Partial<Record<string, number>>;
}

export async function acquireDevice(opts: AcquireOptions = {}): Promise<AcquiredDevice> {
  const log = opts.log ?? ((m: string) => console.warn(`[srgan-webgpu] ${m}`));
  let gpu: GPU | undefined;
  let fallbackNote: string | undefined;
  if (isNode) {
    try {
      const got = await nodeGpu();
      gpu = got.gpu;
      if (got.note) fallbackNote = got.note;
    } catch (e) {
      throw new NoAdapterError(`Could not load npm 'webgpu' (Dawn): ${(e as Error).message}. ${INSTALL_HINT}`);
    }
  } else {
    gpu = (globalThis as { navigator?: Navigator }).navigator?.gpu;
    if (!gpu) throw new NoAdapterError(`This browser has no navigator.gpu. ${INSTALL_HINT}`);
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(`No WebGPU adapter was found. ${INSTALL_HINT}`);

  // Ask for the adapter's real limits: the defaults (128 MiB bindings, 16 KiB workgroup memory) are far lower.
  const requiredLimits: Record<string, number> = {};
  const wanted = [
    'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
  ] as const;
  for (const k of wanted) {
    const offered = (adapter.limits as unknown as Record<string, number>)[k];
    requiredLimits[k] = Math.min(offered, opts.limits?.[k] ?? offered);
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });

  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const isSoftware =
    /swiftshader|llvmpipe|lavapipe|software|cpu/.test(text) ||
    (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  if (isSoftware) log(`no hardware adapter found; running on ${info.description || 'a software adapter'}` + (fallbackNote ? ` — ${fallbackNote}` : ''));
  const limits: Record<string, number> = {};
  for (const k of wanted) limits[k] = (device.limits as unknown as Record<string, number>)[k];
  const summary: AdapterSummary = {
    vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '',
    description: info.description ?? '', isSoftware, features: [...device.features].sort(), limits,
    runtime: isNode ? 'node' : 'browser',
  };
  return { adapter, device, info: summary };
}

/** A summary for a device the engine did not acquire (a page that owns its own device). */
export function externalSummary(device: GPUDevice): AdapterSummary {
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
