import { afterAll, describe, expect, it } from 'vitest';
import { checkOpTests, forEachBackend, forEachCpuThreading, shapeErrorCases, suiteBackends, useEngine } from '../helpers/gpu.js';
import { conv2dCases, conv2dShapeCases } from '../cases/conv2d.js';
import { conv2d, backward, tidy, Tensor, liveTensorCount, Rng } from '../../src/engine/index.js';
import { refConv2d, refConvTaps, setConv2dKernel } from '../../src/engine/testing.js';

afterAll(() => setConv2dKernel(undefined));

if (suiteBackends().includes('webgpu')) {
  describe('conv2d on WebGPU, every kernel variant (forward vs float64, gradients vs finite differences)', () => {
    useEngine('webgpu');
    checkOpTests(conv2dCases);
  });
}

/**
 * Convolutions of ≥ 4 MFLOP, which the CPU backend splits across its threads (finite differences
 * would take minutes there, so the gradients are checked against float64 ones instead).
 */
const largeShapes: { name: string; x: number[]; w: number[]; opts: { stride?: number; padding?: number } }[] = [
  { name: '3x3 pad 1, batch 3, 13 → 19 channels, 19x17', x: [3, 13, 19, 17], w: [19, 13, 3, 3], opts: { padding: 1 } },
  { name: '9x9 stride 2 pad 4, 7 → 14 channels, 23x21', x: [2, 7, 23, 21], w: [14, 7, 9, 9], opts: { stride: 2, padding: 4 } },
  { name: '1x1, 70 → 50 channels, 15x13, batch 3', x: [3, 70, 15, 13], w: [50, 70, 1, 1], opts: {} },
  { name: '3x3 stride 2 pad 1, 7x5 images, batch 5, 64 → 61 channels', x: [5, 64, 7, 5], w: [61, 64, 3, 3], opts: { stride: 2, padding: 1 } },
];

/** float64 dX, dW, dB of Σ Y·G for Y = conv2d(x, w, b) (no activation). */
function refConvGrads(x: Float64Array, w: Float64Array, g: Float64Array, xs: number[], ws: number[], opts: { stride?: number; padding?: number }) {
  const dx = new Float64Array(x.length),
    dw = new Float64Array(w.length),
    db = new Float64Array(ws[0]);
  const geo = refConvTaps(xs, ws, opts, (yi, xi, wi) => {
    dx[xi] += w[wi] * g[yi];
    dw[wi] += x[xi] * g[yi];
  });
  const P = geo.OH * geo.OW;
  for (let yi = 0; yi < g.length; yi++) db[Math.floor(yi / P) % geo.O] += g[yi];
  return { dx, dw, db };
}

/** max |got − want| / (1 + |want|). */
function worstError(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

async function checkLarge(s: (typeof largeShapes)[number]): Promise<Record<string, number>> {
  const rng = new Rng(3);
  const draw = (n: number) => Float64Array.from({ length: n }, () => Math.fround(rng.normal()));
  const xd = draw(s.x.reduce((p, d) => p * d, 1)),
    wd = draw(s.w.reduce((p, d) => p * d, 1)),
    bd = draw(s.w[0]);
  const want = refConv2d({ data: xd, shape: s.x }, { data: wd, shape: s.w }, { data: bd, shape: [s.w[0]] }, s.opts);
  const gd = draw(want.data.length);
  const grads = refConvGrads(xd, wd, gd, s.x, s.w, s.opts);
  const x = Tensor.fromArray(Float32Array.from(xd), s.x),
    w = Tensor.fromArray(Float32Array.from(wd), s.w);
  const b = Tensor.fromArray(Float32Array.from(bd), [s.w[0]]);
  for (const t of [x, w, b]) t.requiresGrad = true;
  const y = await tidy(() => {
    const out = conv2d(x, w, b, s.opts);
    backward(out, Tensor.fromArray(Float32Array.from(gd), out.shape));
    return out.detach();
  }).read();
  const errors = {
    forward: worstError(y, want.data),
    dgrad: worstError(await x.grad!.read(), grads.dx),
    wgrad: worstError(await w.grad!.read(), grads.dw),
    bias: worstError(await b.grad!.read(), grads.db),
  };
  for (const t of [x, w, b]) t.dispose();
  return errors;
}

// The CPU backend's kernels: every shape, on two threads and on one.
forEachCpuThreading('conv2d (forward vs float64, gradients vs finite differences)', () => {
  checkOpTests(conv2dShapeCases);
  for (const s of largeShapes) {
    it(`large: ${s.name} (forward, dgrad, wgrad, bias vs float64)`, async () => {
      const errors = await checkLarge(s);
      for (const [part, err] of Object.entries(errors)) expect(err, part).toBeLessThan(1e-4);
    });
  }
});

forEachBackend('conv2d shape errors are thrown before any kernel runs', (_, engineOf) => {
  const t = (...shape: number[]) => Tensor.fromArray(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape);
  const cases: [string, () => unknown, RegExp][] = [
    [
      'channel mismatch',
      () => conv2d(t(1, 3, 5, 5), t(4, 2, 3, 3)),
      /conv2d: x has 3 channels but w expects 2 \(x \[1, 3, 5, 5\], w \[4, 2, 3, 3\]\)/,
    ],
    ['x rank', () => conv2d(t(3, 5, 5), t(4, 3, 3, 3)), /conv2d: x must be \[N, C, H, W\], got x \[3, 5, 5\], w \[4, 3, 3, 3\]/],
    ['w rank', () => conv2d(t(1, 3, 5, 5), t(4, 3, 9)), /conv2d: w must be \[O, C, kh, kw\], got x \[1, 3, 5, 5\], w \[4, 3, 9\]/],
    ['bias shape', () => conv2d(t(1, 3, 5, 5), t(4, 3, 3, 3), t(3)), /conv2d: bias \[3\] must be \[4\] for w \[4, 3, 3, 3\]/],
    ['kernel larger than input', () => conv2d(t(1, 3, 2, 2), t(4, 3, 3, 3)), /conv2d: no output for x \[1, 3, 2, 2\], w \[4, 3, 3, 3\]/],
  ];
  shapeErrorCases(engineOf, cases);
});

forEachBackend('conv2d geometry and memory', () => {
  it("'same' keeps H×W at stride 1 and gives ceil(H/2) at stride 2", () => {
    tidy(() => {
      expect(conv2d(Tensor.empty([2, 3, 7, 5]), Tensor.empty([4, 3, 9, 9]), null, { padding: 'same' }).shape).toEqual([2, 4, 7, 5]);
      expect(conv2d(Tensor.empty([1, 3, 7, 6]), Tensor.empty([4, 3, 3, 3]), null, { stride: 2, padding: 'same' }).shape).toEqual([1, 4, 4, 3]);
    });
  });

  it('forward + backward inside tidy leaves only the inputs and their gradients', async () => {
    const x = Tensor.fromArray(
      Float32Array.from({ length: 2 * 3 * 5 * 5 }, (_, i) => Math.sin(i)),
      [2, 3, 5, 5],
    );
    const w = Tensor.fromArray(
      Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i)),
      [4, 3, 3, 3],
    );
    const b = Tensor.fromArray(new Float32Array(4).fill(0.5), [4]);
    for (const p of [x, w, b]) p.requiresGrad = true;
    const before = liveTensorCount();
    tidy(() => {
      const y = conv2d(x, w, b, { padding: 'same', activation: 'leakyRelu', alpha: 0.2 });
      backward(y, Tensor.fromArray(new Float32Array(y.size).fill(1), y.shape));
    });
    expect(liveTensorCount()).toBe(before + 3);
    for (const p of [x, w, b]) p.dispose();
  });
});
