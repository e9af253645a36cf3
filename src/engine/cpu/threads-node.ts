/**
 * The CPU backend's Node parts, loaded by the engine's Node entry: workers (worker_threads), and
 * relaxed SIMD, which Node 20's V8 keeps behind a flag (it must be on before the module compiles;
 * workers started afterwards inherit it). The flag is set only when a CPU engine wants the relaxed
 * build and the runtime does not already accept it.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { setNodeWorkerFactory } from './threads.js';
import { setRelaxedSimdEnabler } from './simd-build.js';

setRelaxedSimdEnabler(() => setFlagsFromString('--experimental-wasm-relaxed-simd'));

const PRELUDE =
  "const { parentPort } = require('node:worker_threads');\n" +
  'const listen = (fn) => parentPort.on("message", fn); const post = (m) => parentPort.postMessage(m);\n';

setNodeWorkerFactory((body) => {
  // No execArgv: the parent's flags (--input-type=module, loaders) would turn this CommonJS script into something else.
  const w = new Worker(PRELUDE + body, { eval: true, execArgv: [] });
  // Idle workers sleep in Atomics.wait: they must not keep the process alive.
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m),
    onMessage: (fn) => w.on('message', fn),
    onError: (fn) => w.on('error', fn),
    terminate: () => void w.terminate(),
  };
}, availableParallelism());
