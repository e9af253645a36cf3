/** Core op cases shared by the Node suite and the headless-Chromium suite. */
import * as E from '../../src/engine/index.js';
import * as T from '../../src/engine/testing.js';
import { refMap, refZip, refPermute, type RefArray, refLinear } from '../../src/engine/testing.js';
import type { OpCase } from '../helpers/check-op.js';
import { linear } from '../../src/engine/index.js';
import { broadcastCases, reductionCoreCases } from './reductions.js';

const u = T.unaryOps;
const b = T.binaryOps;
const r = (kind: 'sum' | 'mean' | 'max', x: RefArray, axes: number[], keep: boolean): RefArray => {
  const data = T.refReduce(kind, x.data, x.shape, axes);
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return { data, shape };
};

// Values straddling kinks stay ≥ 1e-2 from them so that a 1e-5 finite-difference step never crosses one.
const nearZero = [-0.5, -0.02, -0.01, 0.01, 0.02, 0.5, -1.5, 1.5, 0.03, -0.03, 2, -2];

export const coreOpCases: OpCase[] = [
  ...(['neg', 'exp', 'abs', 'square', 'sigmoid', 'tanh'] as const).map((n) => ({
    name: n,
    inputs: [{ shape: [3, 5, 7] }],
    gpu: (x: E.Tensor) => T.unary(n, x),
    ref: (x: RefArray) => refMap(x, (v) => (u[n] as T.UnaryDef).ref(v, 0, 0)),
  })),
  ...(['log', 'sqrt'] as const).map((n) => ({
    name: n,
    inputs: [{ shape: [4, 9], init: 'positive' as const }],
    gpu: (x: E.Tensor) => T.unary(n, x),
    ref: (x: RefArray) => refMap(x, (v) => (u[n] as T.UnaryDef).ref(v, 0, 0)),
  })),
  { name: 'relu near 0', inputs: [{ shape: [3, 4], init: nearZero }], gpu: E.relu, ref: (x) => refMap(x, (v) => Math.max(v, 0)) },
  { name: 'abs near 0', inputs: [{ shape: [12], init: nearZero }], gpu: E.abs, ref: (x) => refMap(x, Math.abs) },
  {
    name: 'leakyRelu(0.2)',
    inputs: [{ shape: [2, 3, 5], init: 'uniform' }],
    gpu: (x) => E.leakyRelu(x, 0.2),
    ref: (x) => refMap(x, (v) => (v > 0 ? v : 0.2 * v)),
  },
  {
    name: 'leakyRelu near 0',
    inputs: [{ shape: [12], init: nearZero }],
    gpu: (x) => E.leakyRelu(x, 0.1),
    ref: (x) => refMap(x, (v) => (v > 0 ? v : 0.1 * v)),
  },
  {
    name: 'clamp edges',
    inputs: [{ shape: [12], init: [0.47, 0.49, 0.51, 0.53, 1.47, 1.49, 1.51, 1.53, -3, 0, 1, 3] }],
    gpu: (x) => E.clamp(x, 0.5, 1.5),
    ref: (x) => refMap(x, (v) => Math.min(Math.max(v, 0.5), 1.5)),
  },
  {
    name: 'sigmoid large logits',
    inputs: [{ shape: [6], init: [-90, -30, -5, 5, 30, 90] }],
    gpu: E.sigmoid,
    ref: (x) => refMap(x, (v) => 1 / (1 + Math.exp(-v))),
  },
  { name: 'tanh large', inputs: [{ shape: [4], init: [-60, -3, 3, 60] }], gpu: E.tanh, ref: (x) => refMap(x, Math.tanh) },
  { name: 'addScalar', inputs: [{ shape: [5, 3] }], gpu: (x) => E.addScalar(x, 2.5), ref: (x) => refMap(x, (v) => v + 2.5) },
  { name: 'mulScalar', inputs: [{ shape: [5, 3] }], gpu: (x) => E.mulScalar(x, -3), ref: (x) => refMap(x, (v) => v * -3) },
  { name: 'rsubScalar', inputs: [{ shape: [5, 3] }], gpu: (x) => E.rsubScalar(1, x), ref: (x) => refMap(x, (v) => 1 - v) },
  { name: 'powScalar', inputs: [{ shape: [7], init: 'positive' }], gpu: (x) => E.powScalar(x, 2.5), ref: (x) => refMap(x, (v) => v ** 2.5) },
  ...(['add', 'sub', 'mul', 'minimum', 'maximum'] as const).flatMap((n) => [
    {
      name: `${n} same shape`,
      inputs: [{ shape: [3, 7] }, { shape: [3, 7] }],
      gpu: (x: E.Tensor, y: E.Tensor) => T.binary(n, x, y),
      ref: (x: RefArray, y: RefArray) => refZip(x, y, b[n].ref),
    },
    {
      name: `${n} broadcast [3,1,5]x[4,1]`,
      inputs: [{ shape: [3, 1, 5] }, { shape: [4, 1] }],
      gpu: (x: E.Tensor, y: E.Tensor) => T.binary(n, x, y),
      ref: (x: RefArray, y: RefArray) => refZip(x, y, b[n].ref),
    },
  ]),
  {
    name: 'div broadcast',
    inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1], init: 'positive' }],
    gpu: E.div,
    ref: (x, y) => refZip(x, y, (p, q) => p / q),
  },
  {
    name: 'pow',
    inputs: [
      { shape: [3, 4], init: 'positive' },
      { shape: [4], init: 'uniform' },
    ],
    gpu: E.pow,
    ref: (x, y) => refZip(x, y, (p, q) => p ** q),
  },
  { name: 'mul with scalar tensor', inputs: [{ shape: [2, 5] }, { shape: [] }], gpu: E.mul, ref: (x, y) => refZip(x, y, (p, q) => p * q) },
  {
    name: 'maximum ties',
    inputs: [
      { shape: [4], init: [1, 2, 3, 4] },
      { shape: [4], init: [1, 0, 3, 5] },
    ],
    gpu: E.maximum,
    ref: (x, y) => refZip(x, y, Math.max),
    eps: 1e-9,
    gradAtol: 1e-2,
  },
  { name: 'sum long axis 1', inputs: [{ shape: [2, 300, 3] }], gpu: (x) => E.sum(x, 1), ref: (x) => r('sum', x, [1], false), atol: 1e-3 },
  { name: 'mean axis -1', inputs: [{ shape: [4, 6] }], gpu: (x) => E.mean(x, -1), ref: (x) => r('mean', x, [1], false) },
  { name: 'max axis 1', inputs: [{ shape: [3, 4, 5] }], gpu: (x) => E.max(x, 1), ref: (x) => r('max', x, [1], false) },
  ...reductionCoreCases,
  ...broadcastCases,
  { name: 'permute [2,0,1]', inputs: [{ shape: [2, 3, 4] }], gpu: (x) => E.permute(x, [2, 0, 1]), ref: (x) => refPermute(x, [2, 0, 1]) },
  { name: 'transpose', inputs: [{ shape: [3, 5] }], gpu: (x) => E.transpose(x), ref: (x) => refPermute(x, [1, 0]) },
  {
    name: 'slice',
    inputs: [{ shape: [4, 5, 3] }],
    gpu: (x) => E.slice(x, [1, 2, 0], [2, -1, 2]),
    ref: (x) => {
      const out: number[] = [];
      for (let i = 1; i < 3; i++) for (let j = 2; j < 5; j++) for (let k = 0; k < 2; k++) out.push(x.data[i * 15 + j * 3 + k]);
      return { data: Float64Array.from(out), shape: [2, 3, 2] };
    },
  },
  {
    name: 'concat axis 1',
    inputs: [{ shape: [2, 3] }, { shape: [2, 1] }],
    gpu: (x, y) => E.concat([x, y], 1),
    ref: (x, y) => ({ data: Float64Array.from([...x.data.slice(0, 3), y.data[0], ...x.data.slice(3), y.data[1]]), shape: [2, 4] }),
  },
  {
    name: 'expand',
    inputs: [{ shape: [3, 1] }],
    gpu: (x) => E.expand(x, [2, 3, 4]),
    ref: (x) => refZip(x, { data: new Float64Array(24), shape: [2, 3, 4] }, (p) => p),
  },
  {
    name: 'reshape then mul',
    inputs: [{ shape: [2, 6] }, { shape: [3, 4] }],
    gpu: (x, y) => E.mul(E.reshape(x, [3, 4]), y),
    ref: (x, y) => refZip({ data: x.data, shape: [3, 4] }, y, (p, q) => p * q),
  },
];

export const linearCases: OpCase[] = [
  {
    name: 'linear with bias',
    inputs: [{ shape: [5, 7] }, { shape: [3, 7] }, { shape: [3] }],
    gpu: (x, w, b) => linear(x, w, b),
    ref: (x, w, b) => refLinear(x, w, b),
  },
  { name: 'linear without bias', inputs: [{ shape: [4, 6] }, { shape: [9, 6] }], gpu: (x, w) => linear(x, w), ref: (x, w) => refLinear(x, w) },
  {
    name: 'linear on one sample',
    inputs: [{ shape: [6] }, { shape: [2, 6] }, { shape: [2] }],
    gpu: (x, w, b) => linear(x, w, b),
    ref: (x, w, b) => {
      const y = refLinear({ data: x.data, shape: [1, 6] }, w, b);
      return { data: y.data, shape: [2] };
    },
  },
  {
    name: 'linear batched [2,3,4]',
    inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }, { shape: [5] }],
    gpu: (x, w, b) => linear(x, w, b),
    ref: (x, w, b) => refLinear(x, w, b),
  },
];
