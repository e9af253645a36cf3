/** Node's workers for the CPU backend (worker_threads); the engine's Node entry loads this module. */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { setNodeWorkerFactory } from './threads.js';

setNodeWorkerFactory((source) => {
  const w = new Worker(source, { eval: true });
  // Idle workers sleep in Atomics.wait: they must not keep the process alive.
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m), onMessage: (fn) => w.on('message', fn), onError: (fn) => w.on('error', fn),
    terminate: () => void w.terminate(),
  };
}, availableParallelism());
