/** TF.js's WebGPU backend in Node, on its own Dawn device (npm `webgpu`), as the speed peer. */
import type { Tf } from './cases/types.js';

type Dawn = { create(flags: string[]): GPU; globals: Record<string, unknown> };

/**
 * TF.js looks for navigator.gpu when its backend module loads, so navigator is set up before the
 * dynamic import. Call after our engine's initEngine, which chooses the Vulkan driver (hardware or
 * SwiftShader) that this second Dawn instance then also uses.
 */
export async function loadTfjsWebGPU(): Promise<Tf> {
  const dawn = (await import('webgpu')) as unknown as Dawn;
  Object.assign(globalThis, dawn.globals);
  // defineProperty, not assignment: Node ≥ 21 has a getter-only navigator.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true, writable: true });
  const mod = (await import('@tensorflow/tfjs-core')) as unknown as Tf & { default?: Tf };
  // tfjs-core is CommonJS in Node: depending on the loader its API is the namespace or its default.
  const tf = typeof mod.setBackend === 'function' ? mod : mod.default!;
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js could not initialise its 'webgpu' backend on Dawn");
  await tf.ready();
  return tf;
}

/** Free TF.js's device so that the process can exit. */
export function disposeTfjs(tf: Tf): void {
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  tf.engine().reset();
  backend.device?.destroy();
}
