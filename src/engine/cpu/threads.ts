/**
 * The CPU backend's worker pool. Every worker instantiates the same kernel module on the same
 * shared memory and sleeps on a control word. A parallel job is a descriptor in that memory: the
 * caller publishes it, wakes the workers, runs its own share as thread 0, and waits until every
 * worker has counted itself done. Blocking waits are allowed in Node and in browser workers, not
 * on a page's main thread, where the backend runs single-threaded.
 */

import { PAGE } from './heap.js';

/** Control words (Int32 slots of a small SharedArrayBuffer). */
const GENERATION = 0,
  DESC = 1,
  THREADS = 2,
  STOP = 3,
  DONE = 4,
  FAILED = 5,
  FAILED_THREAD = 6,
  PAGES = 7;
/**
 * After the words, the first failing worker's message (its thread and the kernel's error), one
 * UTF-16 code per slot, so that the caller's error says what went wrong and where, not only that.
 */
const MESSAGE = 8,
  MESSAGE_SLOTS = 248;

/** Minimal worker surface shared by Node's worker_threads and the browser's Worker. */
export interface WorkerLike {
  postMessage(msg: unknown): void;
  onMessage(fn: (msg: unknown) => void): void;
  onError(fn: (err: unknown) => void): void;
  terminate(): void;
}

/** How long workers may take to start before the backend runs on one thread instead. */
const START_TIMEOUT_MS = 15_000;

/**
 * Makes a worker that runs `body`, a script that expects two functions in scope: `listen(fn)`
 * (fn gets each message's data) and `post(msg)`. The factory supplies them for its platform.
 */
export type WorkerFactory = (body: string) => WorkerLike;

let nodeFactory: WorkerFactory | undefined;
let nodeCores: number | undefined;

/** The engine's Node entry registers worker_threads here (threads-node.ts); browsers use Blob workers. */
export function setNodeWorkerFactory(f: WorkerFactory, cores: number): void {
  nodeFactory = f;
  nodeCores = cores;
}

/** Cores this process may use: Node's availableParallelism, else the browser's hardwareConcurrency. */
export function coreCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nodeCores ?? nav?.hardwareConcurrency ?? 1);
}

function browserFactory(): WorkerFactory | undefined {
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined') return undefined;
  return (body) => {
    const prelude = 'const listen = (fn) => self.addEventListener("message", (e) => fn(e.data)); const post = (m) => self.postMessage(m);\n';
    const url = URL.createObjectURL(new Blob([prelude + body], { type: 'text/javascript' }));
    const w = new Worker(url);
    URL.revokeObjectURL(url);
    return {
      postMessage: (m) => w.postMessage(m),
      onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
      onError: (fn) => w.addEventListener('error', fn),
      terminate: () => w.terminate(),
    };
  };
}

/** Whether this thread may block in Atomics.wait (Node: yes; a page's main thread: no). */
export function canBlock(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

// The worker's program, as a string so that no bundler or file path is involved; the factory
// puts its platform's listen/post in front (Node: worker_threads, eval; browsers: a Blob URL).
const WORKER_SOURCE = `
listen(async ({ module, memory, control, tid }) => {
  const inst = await WebAssembly.instantiate(module, { env: { memory, abort() { throw new Error('kernel abort'); } } });
  const ctl = new Int32Array(control);
  // Read the generation before saying ready: the caller publishes its first job only after that.
  let seen = Atomics.load(ctl, ${GENERATION});
  let knownPages = 0;
  post('ready');
  for (;;) {
    Atomics.wait(ctl, ${GENERATION}, seen);
    seen = Atomics.load(ctl, ${GENERATION});
    if (Atomics.load(ctl, ${STOP})) return;
    const desc = Atomics.load(ctl, ${DESC});
    // The caller may have grown the memory since the last job. V8 brings another thread's view of
    // a shared memory up to date lazily; grow(0) does it now, before a kernel reads the new pages.
    const pages = Atomics.load(ctl, ${PAGES});
    if (pages !== knownPages) { memory.grow(0); knownPages = pages; }
    try { inst.exports.dispatch(desc, tid, Atomics.load(ctl, ${THREADS})); }
    catch (e) {
      // The first failure writes its message; FAILED holds 1 + its length.
      const text = ('thread ' + tid + ', job descriptor at ' + desc + ', memory ' + memory.buffer.byteLength + ' bytes here, ' + pages * ${PAGE} + ' on the caller: ' + (e && e.message || e)).slice(0, ${MESSAGE_SLOTS});
      if (Atomics.compareExchange(ctl, ${FAILED}, 0, -1) === 0) {
        Atomics.store(ctl, ${FAILED_THREAD}, tid);
        for (let i = 0; i < text.length; i++) Atomics.store(ctl, ${MESSAGE} + i, text.charCodeAt(i));
        Atomics.store(ctl, ${FAILED}, 1 + text.length);
      }
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
});
`;

/** A kernel failed on a worker: which thread, of how many, so that the caller can look into it. */
export class WorkerKernelError extends Error {
  constructor(
    message: string,
    readonly thread: number,
    readonly threads: number,
  ) {
    super(message);
  }
}

export class ThreadPool {
  private ctl: Int32Array;
  private constructor(
    private workers: WorkerLike[],
    control: SharedArrayBuffer,
    private memory: WebAssembly.Memory,
  ) {
    this.ctl = new Int32Array(control);
  }

  /** Threads in all, the caller included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Start `count` workers on the module and shared memory. Undefined where threads cannot run
   * here, or when a worker fails to start (a page's CSP may forbid Blob workers): the caller then
   * runs single-threaded, and `log` says why.
   */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    count: number,
    log: (msg: string) => void,
  ): Promise<ThreadPool | undefined> {
    const factory = nodeFactory ?? browserFactory();
    if (!factory || count < 1 || !canBlock()) return undefined;
    const control = new SharedArrayBuffer((MESSAGE + MESSAGE_SLOTS) * 4);
    const workers: WorkerLike[] = [];
    const ready: Promise<void>[] = [];
    try {
      for (let tid = 1; tid <= count; tid++) {
        const w = factory(WORKER_SOURCE);
        workers.push(w);
        ready.push(
          new Promise((resolve, reject) => {
            w.onMessage((m) => m === 'ready' && resolve());
            w.onError(reject);
          }),
        );
        w.postMessage({ module, memory, control, tid });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS)),
      );
      await Promise.race([Promise.all(ready), late]).finally(() => clearTimeout(timer));
    } catch (e) {
      for (const w of workers) w.terminate();
      log(`CPU backend: worker threads did not start (${(e as Error)?.message ?? e}); running on one thread`);
      return undefined;
    }
    return new ThreadPool(workers, control, memory);
  }

  /** Run `dispatch(desc, tid, size)` on every thread; `own` runs the caller's share (thread 0). */
  run(desc: number, own: (desc: number, tid: number, nt: number) => void): void {
    const ctl = this.ctl,
      nt = this.size;
    Atomics.store(ctl, DESC, desc);
    Atomics.store(ctl, THREADS, nt);
    Atomics.store(ctl, PAGES, this.memory.buffer.byteLength / PAGE);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    let ownError: unknown;
    try {
      own(desc, 0, nt);
    } catch (e) {
      ownError = e;
    }
    for (let done = Atomics.load(ctl, DONE); done < nt - 1; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done);
    if (ownError) throw ownError;
    const failed = Atomics.load(ctl, FAILED);
    if (failed) {
      const text = String.fromCharCode(...Array.from(ctl.subarray(MESSAGE, MESSAGE + Math.max(0, failed - 1))));
      throw new WorkerKernelError(`a CPU backend worker failed in a kernel (${text || 'no message'})`, Atomics.load(ctl, FAILED_THREAD), nt);
    }
  }

  stop(): void {
    Atomics.store(this.ctl, STOP, 1);
    Atomics.add(this.ctl, GENERATION, 1);
    Atomics.notify(this.ctl, GENERATION);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
