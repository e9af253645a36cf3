/**
 * The engine's Node entry (`srgan-webgpu` under the `node` condition): the public API of `./index.ts`,
 * with Dawn (npm `webgpu`) registered as the device source, and the file helpers (atomic writes,
 * safetensors files).
 */
import './runtime/device-node.js';
import './cpu/threads-node.js';

export * from './index.js';
export {
  writeFileAtomic,
  writeSafetensorsFile,
  readSafetensorsFile,
  saveCheckpointFile,
  loadCheckpointFile,
  type Chunks,
} from './io/safetensors-node.js';
