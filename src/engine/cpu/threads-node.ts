/** Node's workers for the CPU backend (worker_threads); the engine's Node entry loads this module. */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { setNodeWorkerFactory } from './threads.js';

const PRELUDE = "const { parentPort } = require('node:worker_threads');\n" +
  'const listen = (fn) => parentPort.on("message", fn); const post = (m) => parentPort.postMessage(m);\n';

setNodeWorkerFactory((body) => {
  // No execArgv: the parent's flags (--input-type=module, loaders) would turn this CommonJS script into something else.
  const w = new Worker(PRELUDE + body, { eval: true, execArgv: [] });
  // Idle workers sleep in Atomics.wait: they must not keep the process alive.
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m), onMessage: (fn) => w.on('message', fn), onError: (fn) => w.on('error', fn),
    terminate: () => void w.terminate(),
  };
}, availableParallelism());
