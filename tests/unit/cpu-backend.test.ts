/**
 * The CPU backend's own machinery: the committed WebAssembly build matches its sources, the heap
 * pools and trims, the thread pool gives the same bits as one thread and survives a failing job,
 * and backend choice ('auto' picks the CPU over a software adapter, and says why). The kernels
 * come in two builds (relaxed SIMD with fused multiply-add, and the portable fallback): the
 * kernel tests run on both.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import * as E from '../../src/engine/node.js';
import { Heap, refConv2d, refMatmul } from '../../src/engine/testing.js';
import { checkOp } from '../helpers/check-op.js';

afterEach(() => E.destroyEngine());

const rand = (n: number, seed: number) => {
  const rng = new E.Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
};

describe('CPU backend', () => {
  it('the committed kernels-wasm.ts is the build of src/engine/cpu/assembly', () => {
    const out = execFileSync('node', ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  });

  it('the heap reuses released blocks, trims its idle tail, and fails allocations as OutOfMemoryError', () => {
    const h = new Heap(false, 1 << 16);
    const a = h.alloc(1000),
      b = h.alloc(5000);
    const top = h.allocatedBytes;
    h.release(a);
    expect(h.alloc(900).offset).toBe(a.offset); // same size class
    h.release(b);
    expect(h.pooledBytes).toBe(b.size);
    h.trim();
    expect(h.pooledBytes).toBe(0);
    expect(h.allocatedBytes).toBeLessThan(top);
    h.simulateOutOfMemory();
    expect(() => h.alloc(16)).toThrow(E.OutOfMemoryError);
    const big = h.alloc(3 << 20); // grows the memory past its first 64 KiB
    expect(big.offset + big.size).toBeLessThanOrEqual(h.memory.buffer.byteLength);
  });

  it('a job that traps fails on the caller with an error, and the pool keeps working', async () => {
    const eng = await E.initEngine({ backend: 'cpu', threads: 2 });
    if (eng.kind !== 'cpu') throw new Error('expected the CPU backend');
    expect(eng.threadCount).toBe(2);
    new Int32Array(eng.heap.memory.buffer, 64, 1)[0] = 99; // no such job: every thread traps
    expect(() => eng.runJob(64, true)).toThrow();
    // An add whose output's second half lies past the memory's end: only the worker's share traps,
    // and the error names the job, its words and what replaying that share on this thread did.
    eng.heap.release(eng.heap.alloc(eng.heap.memory.buffer.byteLength)); // grows the memory
    const n = 1 << 20,
      end = eng.heap.memory.buffer.byteLength;
    new Uint32Array(eng.heap.memory.buffer, 64, 8).set([7, 0, n, 4096, 4096, end - 2 * n, 0, 0]);
    // The memory has grown since the workers started (the tensors above): they see its new size.
    expect(() => eng.runJob(64, true)).toThrow(
      new RegExp(
        `thread 1, job descriptor at 64, memory ${end} bytes here, ${end} on the caller.*job 7, words \\[0, 1048576,.*fails on the calling thread too`,
      ),
    );
    const x = E.tensor(rand(64 * 32 * 32, 4), [1, 64, 32, 32]);
    const w = E.tensor(rand(64 * 64 * 9, 5), [64, 64, 3, 3]);
    expect((await E.conv2d(x, w, null, { padding: 'same' }).read()).every(Number.isFinite)).toBe(true);
  });

  it("'auto' runs on the CPU backend when the only WebGPU adapter is a software one, and says why", async () => {
    const said: string[] = [];
    const eng = await E.initEngine({ backend: 'auto', log: (m) => said.push(m) });
    expect(eng.kind).toBe('cpu');
    expect(E.describeAdapter(eng.adapter)).toMatch(/^CPU backend \(WebAssembly SIMD on \d+ threads?\)$/);
    expect(said.join('\n')).toMatch(/only a software WebGPU adapter \(.*\); using the CPU backend/);
  });

  it("backend: 'webgpu' still opens the software adapter", async () => {
    const eng = await E.initEngine({ backend: 'webgpu', log: () => {} });
    expect(eng.kind).toBe('webgpu');
    expect(eng.adapter.isSoftware).toBe(true);
  });

  it('tensors on the CPU backend read back what was written, and the profiler times CPU kernels', async () => {
    const eng = await E.initEngine({ backend: 'cpu' });
    eng.profiler.enable();
    const x = E.tensor(rand(4 * 16 * 8 * 8, 6), [4, 16, 8, 8]);
    const w = E.tensor(rand(8 * 16 * 9, 7), [8, 16, 3, 3]);
    E.conv2d(x, w, null, { padding: 1 });
    const rows = await eng.profiler.report();
    expect(rows.find((r) => r.kernel === 'conv2d')?.calls).toBe(1);
    expect(rows.find((r) => r.kernel === 'conv2d')?.gflops).toBeGreaterThan(0);
    expect(await x.read()).toEqual(rand(4 * 16 * 8 * 8, 6));
  });
});

for (const simd of ['relaxed', 'portable'] as const) {
  describe(`CPU backend kernels [${simd} SIMD]`, () => {
    it(`simd: '${simd}' runs that build`, async () => {
      const eng = await E.initEngine({ backend: 'cpu', simd });
      expect(eng.adapter.architecture).toBe(simd === 'relaxed' ? 'wasm-relaxed-simd' : 'wasm-simd128');
    });

    it('threads give the same bits as one thread (conv forward and both gradients, GEMM and direct kernels)', async () => {
      const run = async (threads: number) => {
        const eng = await E.initEngine({ backend: 'cpu', threads, simd });
        expect(eng.kind).toBe('cpu');
        const x = E.variable(E.tensor(rand(2 * 8 * 21 * 19, 1), [2, 8, 21, 19]));
        const w = E.variable(E.tensor(rand(16 * 8 * 3 * 3, 2), [16, 8, 3, 3]));
        const y = E.conv2d(x, w, null, { padding: 'same', stride: 2 });
        // A direct-kernel conv (stride 1, 3 outputs, 4 inputs) big enough to be split across threads.
        const u = E.variable(E.tensor(rand(2 * 4 * 40 * 37, 8), [2, 4, 40, 37]));
        const v = E.variable(E.tensor(rand(3 * 4 * 5 * 5, 9), [3, 4, 5, 5]));
        const z = E.conv2d(u, v, null, { padding: 'same' });
        const loss = E.add(E.sum(E.mul(y, E.tensor(rand(y.size, 3), y.shape))), E.sum(E.mul(z, E.tensor(rand(z.size, 10), z.shape))));
        E.backward(loss);
        const out = [y, x.grad!, w.grad!, z, u.grad!, v.grad!].map((t) => t.data.slice());
        E.destroyEngine();
        return out;
      };
      const [one, two] = [await run(1), await run(2)];
      for (let i = 0; i < one.length; i++) expect(Buffer.from(two[i].buffer).equals(Buffer.from(one[i].buffer)), `output ${i}`).toBe(true);
    });

    it('the direct kernels (stride 1, at most 4 output channels) on wide rows and ragged ends: float64 and finite differences', async () => {
      await E.initEngine({ backend: 'cpu', simd });
      const shapes: [number[], number[], E.Conv2dOptions][] = [
        [[2, 2, 5, 21], [3, 2, 3, 3], { padding: 'same' }], // 16 pixels then 5; a ragged vec4 in the weight gradient
        [[1, 3, 4, 37], [4, 3, 5, 5], { padding: 2 }],
        [[1, 5, 3, 18], [2, 5, 1, 1], {}],
        [[1, 2, 4, 25], [3, 2, 3, 3], { padding: 4 }], // padded past the kernel's reach: the input gradient crops
        [[1, 4, 6, 20], [8, 4, 3, 3], { padding: [2, 0] }], // 8 outputs (GEMM) but 4 inputs: the direct input gradient
      ];
      for (const [x, w, opts] of shapes) {
        const res = await checkOp({
          name: `conv ${x} ${w}`,
          inputs: [{ shape: x }, { shape: w, init: 'uniform' }],
          gpu: (a: E.Tensor, b: E.Tensor) => E.conv2d(a, b, null, opts),
          ref: (a, b) => refConv2d(a, b, null, opts),
          atol: 2e-4,
          rtol: 2e-4,
        });
        expect(res.message, res.name).toBe('ok');
      }
    });

    it('GEMM convs (tile edges, stride 2, accumulation over deep K blocks) and matmul: float64 and finite differences', async () => {
      await E.initEngine({ backend: 'cpu', simd });
      const convs: [number[], number[], E.Conv2dOptions][] = [
        [[2, 3, 9, 11], [7, 3, 3, 3], { padding: 'same' }], // 7 rows: one full and one edge panel
        [[1, 15, 3, 5], [5, 15, 5, 5], { padding: 1, stride: 2 }], // K = 375: two K blocks accumulate
      ];
      for (const [x, w, opts] of convs) {
        const res = await checkOp({
          name: `conv ${x} ${w}`,
          inputs: [{ shape: x }, { shape: w, init: 'uniform' }],
          gpu: (a: E.Tensor, b: E.Tensor) => E.conv2d(a, b, null, opts),
          ref: (a, b) => refConv2d(a, b, null, opts),
          atol: 2e-4,
          rtol: 2e-4,
        });
        expect(res.message, res.name).toBe('ok');
      }
      const mm = await checkOp({
        name: 'matmul 7×300 · 300×9',
        inputs: [{ shape: [7, 300] }, { shape: [300, 9] }],
        gpu: (a: E.Tensor, b: E.Tensor) => E.matmul(a, b),
        ref: (a, b) => refMatmul(a, b),
        atol: 2e-4,
        rtol: 2e-4,
      });
      expect(mm.message, mm.name).toBe('ok');
    });

    it('GEMM convs whose outputs leave 1–5 rows of a 6-row panel, with the bias and activation fused: float64 and finite differences', async () => {
      await E.initEngine({ backend: 'cpu', simd });
      // O = 5 (4 + 1 rows), 8 (6 + 2), 9 (6 + 3: 2 + 1), 10 (6 + 4), 11 (6 + 5: 4 + 1), 32 (30 + 2, the default model's convs).
      const cases: [number, E.Conv2dOptions][] = [
        [5, { padding: 'same', activation: 'relu' }],
        [8, { padding: 'same' }],
        [9, { padding: 1, activation: 'leakyRelu', alpha: 0.2 }],
        [10, { padding: 'same', stride: 2 }],
        [11, { padding: 'same', activation: 'leakyRelu', alpha: 0.1 }],
        [32, { padding: 'same' }],
      ];
      for (const [O, opts] of cases) {
        const res = await checkOp({
          name: `conv 3→${O} ${JSON.stringify(opts)}`,
          inputs: [{ shape: [2, 3, 7, 12] }, { shape: [O, 3, 3, 3], init: 'uniform' }, { shape: [O] }],
          gpu: (a: E.Tensor, b: E.Tensor, c: E.Tensor) => E.conv2d(a, b, c, opts),
          ref: (a, b, c) => refConv2d(a, b, c, opts),
          atol: 2e-4,
          rtol: 2e-4,
        });
        expect(res.message, res.name).toBe('ok');
      }
    });
  });
}

describe('CPU backend light kernels in WebAssembly', () => {
  it('maps, pixel shuffle ×2/×4, resizing and PReLU give the bits of the float64-sum JavaScript loops they replaced, on 1 and 2 threads', async () => {
    const run = async (threads: number) => {
      await E.initEngine({ backend: 'cpu', threads, log: () => {} });
      const a = E.tensor(rand(300_007, 21), [300_007]),
        b = E.tensor(rand(300_007, 22), [300_007]);
      const outs = [E.add(a, b), E.sub(a, b), E.mul(a, b), E.clamp(a, -0.5, 0.7), E.addScalar(a, 0.1), E.mulScalar(a, 3)];
      const small = E.tensor(rand(2 * 48 * 37 * 29, 23), [2, 48, 37, 29]);
      // The shuffle's gradient is the inverse shuffle: of sum(shuffle(v) · shuffle(small)) it is small itself.
      const v = E.variable(E.zeros([2, 48, 37, 29]));
      E.backward(E.sum(E.mul(E.pixelShuffle(v, 4), E.pixelShuffle(small, 4))));
      outs.push(E.pixelShuffle(small, 4), E.pixelShuffle(small, 2), v.grad!);
      const img = E.tensor(rand(2 * 3 * 37 * 29, 24), [2, 3, 37, 29]);
      outs.push(E.resize(img, 148, 116, { method: 'bicubic' }), E.resize(img, 11, 9, { method: 'bicubic', antialias: true }));
      // PReLU's forward and input gradient as a threaded job (runs of a channel dealt out to threads).
      const px = E.variable(E.tensor(rand(3 * 32 * 41 * 43, 25), [3, 32, 41, 43]));
      const pa = E.variable(E.tensor(rand(32, 26), [32]));
      const py = E.prelu(px, pa);
      E.backward(E.sum(E.mul(py, E.tensor(rand(py.size, 27), py.shape))));
      outs.push(py, px.grad!, pa.grad!);
      const got = outs.map((t) => t.data.slice());
      const [ad, bd] = [a.data, b.data];
      E.destroyEngine();
      return { got, ad, bd };
    };
    const one = await run(1),
      two = await run(2);
    for (let i = 0; i < one.got.length; i++) expect(Buffer.from(two.got[i].buffer).equals(Buffer.from(one.got[i].buffer)), `output ${i}`).toBe(true);
    // The maps against JavaScript's f64 arithmetic rounded to f32 (what the compiled table loops store).
    const f = Math.fround,
      { ad, bd } = one;
    const refs = [
      (i: number) => f(ad[i] + bd[i]),
      (i: number) => f(ad[i] - bd[i]),
      (i: number) => f(ad[i] * bd[i]),
      (i: number) => f(Math.min(Math.max(ad[i], -0.5), f(0.7))),
      (i: number) => f(ad[i] + f(0.1)),
      (i: number) => f(ad[i] * 3),
    ];
    refs.forEach((ref, k) => {
      const bad = one.got[k].findIndex((v, i) => !Object.is(v, ref(i)));
      expect(bad, `map ${k}`).toBe(-1);
    });
    // Unshuffling a shuffle is the identity, bit for bit.
    expect(Buffer.from(one.got[8].buffer).equals(Buffer.from(rand(2 * 48 * 37 * 29, 23).buffer))).toBe(true);
  });
});
