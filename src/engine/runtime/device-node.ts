/**
 * Node's WebGPU: Dawn through npm `webgpu`. Loading this module registers Dawn as the engine's
 * device source (the engine's Node entry, `src/engine/node.ts`, imports it); the browser build never
 * sees it.
 *
 * Two pieces of environment are settled before Dawn starts, because Dawn and the Vulkan loader read
 * them from the C environment, which `process.env` writes through to:
 * - With no GPU, Dawn needs a Vulkan driver: the SwiftShader ICD that ships inside Debian's
 *   `chromium` package works, so it is added as the fallback when the user named no driver.
 * - The Vulkan loader's Wayland probe prints "error: XDG_RUNTIME_DIR is invalid or not set in the
 *   environment." (twice) when the variable is unset, as in containers, CI and ssh sessions. A
 *   private empty directory (mode 0700, removed at exit) gives the probe a valid place to find no
 *   display, so the user sees no driver noise.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { setNodeGpuSource } from './device.js';

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

let nodeGpuOnce: Promise<{ gpu: GPU; note?: string }> | undefined;

/** One Dawn instance per process: a new device after a device loss comes from the same instance. */
function nodeGpu(): Promise<{ gpu: GPU; note?: string }> {
  nodeGpuOnce ??= createNodeGpu();
  nodeGpuOnce.catch(() => (nodeGpuOnce = undefined));
  return nodeGpuOnce;
}

/** XDG_RUNTIME_DIR must name an existing directory by an absolute path (the XDG base-directory spec). */
function validRuntimeDir(dir: string | undefined): boolean {
  if (!dir || !isAbsolute(dir)) return false;
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function ensureRuntimeDir(env: NodeJS.ProcessEnv): void {
  if (validRuntimeDir(env.XDG_RUNTIME_DIR)) return;
  env.XDG_RUNTIME_DIR = privateRuntimeDir();
}

/**
 * One directory per user, reused by every process (so none is left behind by a killed one), and
 * trusted only if it is ours with mode 0700: /tmp is shared, and another user could have made it first.
 */
function privateRuntimeDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `srgan-webgpu-runtime-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(dir);
  if (st.isDirectory() && st.uid === uid && (st.mode & 0o777) === 0o700) return dir;
  // Someone else's, or a link: a fresh directory of our own (mkdtemp makes it 0700).
  return mkdtempSync(join(tmpdir(), 'srgan-webgpu-runtime-'));
}

/** Vulkan drivers for Dawn: the system's, plus SwiftShader as the fallback (see the module comment). */
function addSwiftShaderFallback(env: NodeJS.ProcessEnv): string | undefined {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.SRGAN_NO_SWIFTSHADER) return undefined;
  const icd = SWIFTSHADER_ICDS.find((p) => existsSync(p));
  if (!icd) return undefined;
  // One Vulkan instance sees the system's drivers plus SwiftShader; Dawn ranks hardware adapters
  // above CPU ones, so SwiftShader is only the fallback. (A second instance for probing is not
  // an option: a discarded Dawn instance crashes the process when it is garbage-collected.)
  const system = ICD_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d).map((f) => `${d}/${f}`) : []))
    // Mesa's lavapipe is a CPU driver that Dawn rejects (missing features); leaving it out keeps the log clean.
    .filter((f) => f.endsWith('.json') && !/lvp_icd/.test(f));
  env.VK_ICD_FILENAMES = [...system, icd].join(':');
  return `SwiftShader (${icd}) is available as the fallback adapter`;
}

async function createNodeGpu(): Promise<{ gpu: GPU; note?: string }> {
  // Loaded on first use, not at import: commands that never touch the GPU (`--help`) skip Dawn's native module.
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  ensureRuntimeDir(process.env);
  const note = addSwiftShaderFallback(process.env);
  const gpu = dawn.create([]) as GPU;
  // Dawn's Node binding polls the instance for callbacks; if the GPU object is garbage-collected
  // while a device lives, the next poll dereferences a freed instance and the process dies.
  liveInstances.push(gpu);
  return { gpu, note };
}

const liveInstances: GPU[] = [];

setNodeGpuSource(nodeGpu);
