/**
 * The Node runtimes of `npm run bench:cpu`, one per child process, speaking bench/cpu/protocol.ts:
 *   tsx bench/peers/node-peer.ts ours --backend cpu|webgpu   our engine (one backend per process)
 *   tsx bench/peers/node-peer.ts ort                         onnxruntime-node, CPU execution provider
 * A timed step ends with its result on the host for inference (ours reads the output back, as ORT's
 * run returns host arrays) and with the device idle for training.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as E from '../../src/engine/node.js';
import { describeAdapter, engine, initEngine } from '../../src/engine/node.js';
import { generatorFromSafetensors } from '../../src/srgan/store/checkpoint.js';
import type { Generator } from '../../src/srgan/models/generator.js';
import { oursTrainStep } from '../cases/srresnet.js';
import { readF32 as readFile, serve, type ArraySpec, type CaseSpec, type Reply, type Request } from '../cpu/protocol.js';

const readF32 = (a: ArraySpec) => readFile(a.file);

/** One case on one runtime: `step` is the timed work, awaited to completion. */
interface Built {
  step(): Promise<void>;
  check(): Promise<Omit<Reply, 'ok'>>;
  dispose(): void;
}

type Builder = (c: CaseSpec) => Promise<Built>;

function oursCase(c: CaseSpec): Built {
  // As src/srgan loads a shipped model: the file's own config rebuilds the network (eval mode).
  const { generator: g } = generatorFromSafetensors(readFileSync(c.weights), c.weights);
  const lr = E.Tensor.fromArray(readF32(c.inputs.lr), c.inputs.lr.shape);
  if (c.kind === 'infer') {
    const forward = async () => {
      const y = E.tidy(() => E.noGrad(() => g.forward(lr)));
      try {
        return await y.read();
      } finally {
        y.dispose();
      }
    };
    return {
      step: async () => {
        await forward();
      },
      check: async () => {
        writeFileSync(c.outFile, await forward());
        return { outFile: c.outFile };
      },
      dispose: () => {
        lr.dispose();
        g.dispose();
      },
    };
  }
  return oursTrain(c, g.train(), lr);
}

function oursTrain(c: CaseSpec, g: Generator, lr: E.Tensor): Built {
  const hr = E.Tensor.fromArray(readF32(c.inputs.hr!), c.inputs.hr!.shape);
  const opt = new E.Adam(g.parameters(), { lr: c.learningRate ?? 1e-4, betas: [0.9, 0.999] });
  const step = async () => {
    const loss = oursTrainStep(g, opt, lr, hr);
    await engine().sync();
    return loss;
  };
  return {
    step: async () => {
      (await step()).dispose();
    },
    check: async () => {
      const loss = await step();
      try {
        return { loss: await loss.item() };
      } finally {
        loss.dispose();
      }
    },
    dispose: () => {
      opt.zeroGrad();
      opt.dispose();
      lr.dispose();
      hr.dispose();
      g.dispose();
    },
  };
}

async function ours(backend: 'cpu' | 'webgpu'): Promise<{ hello: Reply; build: Builder }> {
  const eng = await initEngine({ backend, log: (m) => process.stderr.write(`${m}\n`) });
  const threads = eng.kind === 'cpu' ? eng.threadCount : undefined;
  return { hello: { ok: true, runtime: `ours on ${describeAdapter(eng.adapter)}`, threads }, build: async (c) => oursCase(c) };
}

async function ort(): Promise<{ hello: Reply; build: Builder }> {
  const ortNode = await import('onnxruntime-node');
  const threads = Number(process.env.BENCH_ORT_THREADS) || cpus().length;
  const build: Builder = async (c) => {
    if (c.kind !== 'infer' || !c.onnx) throw new Error(`onnxruntime runs exported inference models only (${c.key})`);
    // ORT's defaults otherwise (spinning intra-op threads, all graph optimisations): what a user gets.
    const session = await ortNode.InferenceSession.create(c.onnx, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const x = new ortNode.Tensor('float32', readF32(c.inputs.lr), c.inputs.lr.shape);
    const run = async () => (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
    return {
      step: async () => {
        (await run()).dispose();
      },
      check: async () => {
        const y = await run();
        writeFileSync(c.outFile, y.data as Float32Array);
        y.dispose();
        return { outFile: c.outFile };
      },
      dispose: () => {
        void session.release();
      },
    };
  };
  return { hello: { ok: true, runtime: `onnxruntime-node ${ortNode.env.versions.node} (CPU EP)`, threads }, build };
}

async function main(): Promise<void> {
  const [which, flag, backend] = process.argv.slice(2);
  if (which === 'ours' && (flag !== '--backend' || (backend !== 'cpu' && backend !== 'webgpu')))
    throw new Error('usage: node-peer.ts ours --backend cpu|webgpu | node-peer.ts ort');
  const { hello, build } =
    which === 'ours'
      ? await ours(backend as 'cpu' | 'webgpu')
      : which === 'ort'
        ? await ort()
        : (() => {
            throw new Error(`unknown runtime ${which}`);
          })();
  const cases = new Map<string, Built>();
  const get = (key: string) =>
    cases.get(key) ??
    (() => {
      throw new Error(`no case ${key} set up`);
    })();
  await serve(hello, async (req: Request) => {
    if (req.op === 'setup') {
      cases.set(req.case.key, await build(req.case));
      return {};
    }
    if (req.op === 'dispose') {
      cases.get(req.key)?.dispose();
      cases.delete(req.key);
      return {};
    }
    if (req.op === 'check') return get(req.key).check();
    if (req.op === 'time') {
      const c = get(req.key);
      if (which === 'ours') await engine().sync(); // nothing earlier may leak into the clock
      const t0 = performance.now();
      await c.step();
      return { ms: performance.now() - t0 };
    }
    throw new Error(`${req.op} is not a Node peer request`);
  });
}

// A Dawn device keeps the process alive: exit explicitly either way.
main().then(
  () => {
    if (process.argv[2] === 'ours') E.destroyEngine();
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`node-peer: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
