import { expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  nn,
  decodeSafetensors,
  loadCheckpoint,
  saveCheckpoint,
  Tensor,
  liveTensorCount,
  tidy,
  backward,
  noGrad,
  mean,
  mul,
  randNormal,
  Rng,
} from '../../src/engine/index.js';
import { loadCheckpointFile, saveCheckpointFile } from '../../src/engine/node.js';
import { forEachBackend } from '../helpers/gpu.js';

const {
  BatchNorm2d,
  Conv2d,
  Flatten,
  kaimingUniformBound,
  LeakyReLU,
  Linear,
  manualSeed,
  PReLU,
  Residual,
  Sequential,
  Sigmoid,
  StateDictError,
  Tanh,
  ReLU,
} = nn;

const bitsOf = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

/** A small model touching every layer kind; 5×5 RGB inputs. */
function smallModel(seed: number): nn.Sequential {
  manualSeed(seed);
  return new Sequential(
    new Conv2d(3, 4, 3, { padding: 1 }),
    new BatchNorm2d(4),
    new PReLU(4),
    new Residual(new Conv2d(4, 4, 3, { padding: 'same', bias: false }), new BatchNorm2d(4), new Tanh()),
    new LeakyReLU(0.2),
    new Flatten(),
    new Linear(4 * 5 * 5, 2),
    new Sigmoid(),
  );
}

async function stateBits(m: nn.Module): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const [k, t] of m.stateDict()) out.set(k, bitsOf(await t.read()));
  return out;
}

async function outputBits(m: nn.Module, x: Tensor): Promise<number[]> {
  const y = tidy(() => noGrad(() => m.call(x)));
  const bits = bitsOf(await y.read());
  y.dispose();
  return bits;
}

forEachBackend('nn modules', () => {
  it('names parameters and buffers along the module tree, in PyTorch order', () => {
    const m = smallModel(1);
    expect(m.namedParameters().map(([n, t]) => `${n} [${t.shape}]`)).toEqual([
      '0.weight [4,3,3,3]',
      '0.bias [4]',
      '1.weight [4]',
      '1.bias [4]',
      '2.weight [4]',
      '3.0.weight [4,4,3,3]',
      '3.1.weight [4]',
      '3.1.bias [4]',
      '6.weight [2,100]',
      '6.bias [2]',
    ]);
    expect([...m.stateDict().keys()]).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '2.weight',
      '3.0.weight',
      '3.1.weight',
      '3.1.bias',
      '3.1.running_mean',
      '3.1.running_var',
      '6.weight',
      '6.bias',
    ]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['1.running_mean', '1.running_var', '3.1.running_mean', '3.1.running_var']);
    expect(m.numParameters()).toBe(108 + 4 + 4 + 4 + 4 + 144 + 4 + 4 + 200 + 2);
    expect(m.parameters().every((p) => p.requiresGrad && !p.node)).toBe(true);
    expect(m.namedBuffers().every(([, b]) => !b.requiresGrad)).toBe(true);
    m.dispose();
  });

  it('train()/eval() reach every descendant', () => {
    const m = smallModel(1);
    expect(m.namedModules().every(([, c]) => c.training)).toBe(true);
    m.eval();
    expect(m.namedModules().map(([, c]) => c.training)).not.toContain(true);
    m.train();
    expect(m.namedModules().map(([, c]) => c.training)).not.toContain(false);
    m.dispose();
  });

  it('parameters outlive the scope they were built in; dispose frees every tensor', async () => {
    const before = liveTensorCount();
    const m = tidy(() => smallModel(2));
    expect(liveTensorCount() - before).toBe(m.stateDict().size);
    expect((await m.parameters()[0].read()).length).toBe(108);
    m.dispose();
    expect(liveTensorCount()).toBe(before);
  });

  it('a seed reproduces a model; another seed does not', async () => {
    const a = smallModel(7);
    const b = smallModel(7);
    const c = smallModel(8);
    const [sa, sb, sc] = await Promise.all([stateBits(a), stateBits(b), stateBits(c)]);
    expect(sb).toEqual(sa);
    expect(sc.get('0.weight')).not.toEqual(sa.get('0.weight'));
    // An explicit generator overrides the shared one.
    const d = new Linear(6, 3, { rng: new Rng(5) });
    const e = new Linear(6, 3, { rng: new Rng(5) });
    expect(bitsOf(await e.weight.read())).toEqual(bitsOf(await d.weight.read()));
    for (const m of [a, b, c, d, e]) m.dispose();
  });

  it('initialises like PyTorch: Kaiming-uniform (a = √5) weights and ±1/√fan_in biases', async () => {
    expect(kaimingUniformBound(144)).toBeCloseTo(1 / 12, 15);
    manualSeed(3);
    const conv = new Conv2d(16, 8, 3);
    const lin = new Linear(50, 40);
    const check = async (t: Tensor, fanIn: number) => {
      const bound = 1 / Math.sqrt(fanIn);
      const v = await t.read();
      const maxAbs = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(maxAbs).toBeLessThanOrEqual(Math.fround(bound));
      if (v.length >= 1000) {
        // Uniform on ±bound: the extremes come close to the bound, the variance is bound²/3.
        expect(maxAbs).toBeGreaterThan(0.98 * bound);
        const variance = v.reduce((s, x) => s + x * x, 0) / v.length;
        expect(Math.abs(variance / ((bound * bound) / 3) - 1)).toBeLessThan(0.1);
      }
    };
    await check(conv.weight, 16 * 9);
    await check(conv.bias!, 16 * 9);
    await check(lin.weight, 50);
    await check(lin.bias!, 50);
    const bn = new BatchNorm2d(3);
    expect([...(await bn.weight.read())]).toEqual([1, 1, 1]);
    expect([...(await bn.bias.read())]).toEqual([0, 0, 0]);
    expect([...(await bn.runningVar.read())]).toEqual([1, 1, 1]);
    expect([...(await new PReLU(2).weight.read())]).toEqual([0.25, 0.25]);
    for (const m of [conv, lin, bn]) m.dispose();
  });

  it('loadStateDict: a wrong shape names the key and both shapes, and writes nothing', async () => {
    const m = smallModel(1);
    const before = await stateBits(m);
    const dict = new Map(m.stateDict());
    const wrong = Tensor.fromArray(new Float32Array(2 * 99), [2, 99]);
    dict.set('6.weight', wrong);
    let err: unknown;
    try {
      m.loadStateDict(dict);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as Error).message).toMatch(/size mismatch for 6\.weight: checkpoint has \[2, 99\], model has \[2, 100\]/);
    // Non-strict mode still refuses a shape mismatch (as PyTorch does).
    expect(() => m.loadStateDict(dict, { strict: false })).toThrow(/6\.weight.*\[2, 99\].*\[2, 100\]/);
    expect(await stateBits(m)).toEqual(before);
    wrong.dispose();
    m.dispose();
  });

  it('loadStateDict: missing and unexpected keys fail in strict mode and are reported otherwise', async () => {
    const src = smallModel(1);
    const dst = smallModel(2);
    const dict = new Map(src.stateDict());
    dict.delete('3.1.running_var');
    dict.delete('0.bias');
    const extra = Tensor.fromArray([1], [1]);
    dict.set('1.num_batches_tracked', extra);
    let err: nn.StateDictError | undefined;
    try {
      dst.loadStateDict(dict);
    } catch (e) {
      err = e as nn.StateDictError;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect(err!.message).toMatch(/missing keys: 0\.bias, 3\.1\.running_var/);
    expect(err!.message).toMatch(/unexpected keys: 1\.num_batches_tracked/);
    expect(err!.missing).toEqual(['0.bias', '3.1.running_var']);
    expect(err!.unexpected).toEqual(['1.num_batches_tracked']);

    const res = dst.loadStateDict(dict, { strict: false });
    expect(res).toEqual({ missing: ['0.bias', '3.1.running_var'], unexpected: ['1.num_batches_tracked'] });
    const [s, d] = await Promise.all([stateBits(src), stateBits(dst)]);
    expect(d.get('0.weight')).toEqual(s.get('0.weight'));
    expect(d.get('0.bias')).not.toEqual(s.get('0.bias')); // left as it was
    extra.dispose();
    src.dispose();
    dst.dispose();
  });

  it('save → load into a fresh model gives bitwise-equal outputs (bytes, file, and GPU copy)', async () => {
    const a = smallModel(11);
    const x = randNormal([2, 3, 5, 5], 0, 1, 99);
    // A few training-mode steps move the running statistics away from their initial values.
    for (let i = 0; i < 2; i++) tidy(() => void noGrad(() => a.call(x)));
    a.eval();
    const expected = await outputBits(a, x);
    const bytes = await saveCheckpoint(a, { model: 'small', step: '2' });
    expect(decodeSafetensors(bytes).tensors.map((t) => t.name)).toEqual([...a.stateDict().keys()]);

    const b = smallModel(12).eval();
    expect(await outputBits(b, x)).not.toEqual(expected);
    expect(loadCheckpoint(b, bytes)).toEqual({ model: 'small', step: '2' });
    expect(await stateBits(b)).toEqual(await stateBits(a));
    expect(await outputBits(b, x)).toEqual(expected);

    const dir = await mkdtemp(join(tmpdir(), 'nn-test-'));
    try {
      const path = join(dir, 'small.safetensors');
      await saveCheckpointFile(path, a);
      const c = smallModel(13).eval();
      await loadCheckpointFile(path, c);
      expect(await outputBits(c, x)).toEqual(expected);
      c.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const d = smallModel(14).eval();
    d.loadStateDict(a.stateDict()); // GPU → GPU copies
    expect(await outputBits(d, x)).toEqual(expected);
    for (const m of [a, b, d]) m.dispose();
    x.dispose();
  });

  it('batch norm updates running statistics in training mode only', async () => {
    const bn = new BatchNorm2d(3, { momentum: 0.5 });
    const x = randNormal([4, 3, 2, 3], 2, 1, 5);
    bn.eval();
    tidy(() => void noGrad(() => bn.call(x)));
    expect([...(await bn.runningMean.read())]).toEqual([0, 0, 0]);
    bn.train();
    tidy(() => void noGrad(() => bn.call(x)));
    const rm1 = await bn.runningMean.read();
    // momentum 0.5 from 0: half the batch mean of each channel (≈ 1 for data centred at 2).
    const v = await x.read();
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let n = 0; n < 4; n++) for (let i = 0; i < 6; i++) s += v[n * 18 + c * 6 + i];
      expect(rm1[c]).toBeCloseTo(0.5 * (s / 24), 5);
    }
    bn.dispose();
    x.dispose();
  });

  it('backward reaches every parameter; zeroGrad clears the gradients', async () => {
    const m = smallModel(4);
    const x = randNormal([2, 3, 5, 5], 0, 1, 1);
    const w = randNormal([2, 2], 0, 1, 2);
    const loss = tidy(() => mean(mul(m.call(x), w)));
    backward(loss);
    for (const [name, p] of m.namedParameters()) {
      expect(p.grad, name).toBeDefined();
      expect(p.grad!.shape).toEqual(p.shape);
      const g = await p.grad!.read();
      expect(g.every(Number.isFinite), name).toBe(true);
      expect(
        g.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === undefined)).toBe(true);
    for (const t of [loss, x, w]) t.dispose();
    m.dispose();
  });

  it('activation layers and residual shape checks', async () => {
    const x = Tensor.fromArray([-2, -0.5, 0, 1.5], [1, 1, 2, 2]);
    const read = async (m: nn.Module) => {
      const y = tidy(() => noGrad(() => m.call(x)));
      const v = [...(await y.read())];
      y.dispose();
      m.dispose();
      return v;
    };
    expect(await read(new ReLU())).toEqual([0, 0, 0, 1.5]);
    expect(await read(new LeakyReLU(0.1))).toEqual([Math.fround(-0.2), Math.fround(-0.05), 0, 1.5]);
    expect(await read(new PReLU(1))).toEqual([-0.5, -0.125, 0, 1.5]);
    expect(await read(new Flatten())).toEqual([-2, -0.5, 0, 1.5]);
    const flat = noGrad(() => new Flatten().call(x));
    expect(flat.shape).toEqual([1, 4]);
    flat.dispose();
    const grow = new Residual(new Conv2d(1, 2, 1));
    expect(() => grow.call(x)).toThrow(/Residual: body maps \[1, 1, 2, 2\] to \[1, 2, 2, 2\]/);
    expect(() => new Sequential(new ReLU()).at(3)).toThrow(/no layer 3/);
    grow.dispose();
    x.dispose();
  });
});
