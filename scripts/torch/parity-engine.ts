/**
 * Engine side of the parity check (after scripts/torch/parity.py wrote DIR):
 *
 *   npx tsx scripts/torch/parity-engine.ts --checkpoint G.safetensors --dir DIR [--tol 1e-4]
 *
 * Loads the checkpoint exactly as `srgan upscale --checkpoint` does (generatorFromSafetensors, eval
 * mode), then compares with what PyTorch computed on the same bytes:
 *   lr   the engine's makeLr(hr) against the twin's make_lr (the same bicubic LR for training)
 *   out  the engine's generator on PyTorch's LR against PyTorch's generator output
 * Prints max |Δ| for each and one JSON line; exits 1 when either exceeds the tolerance.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from '../../src/engine/node.js';
import { generatorFromSafetensors } from '../../src/srgan/store/checkpoint.js';
import { makeLr } from '../../src/srgan/data/degrade.js';

const { values } = parseArgs({ options: { checkpoint: { type: 'string' }, dir: { type: 'string' }, tol: { type: 'string', default: '1e-4' } } });
if (!values.checkpoint || !values.dir) {
  console.error('usage: npx tsx scripts/torch/parity-engine.ts --checkpoint G.safetensors --dir DIR [--tol 1e-4]');
  process.exit(2);
}
const dir = values.dir;
const tol = Number(values.tol);
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<'hr' | 'lr' | 'out', number[]> & { torch: string };

/** A raw float32 file written by parity.py, checked against the shape it claims. */
function readBin(name: 'hr' | 'lr' | 'out'): Float32Array {
  const buf = readFileSync(join(dir, `${name}.bin`));
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const size = meta[name].reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`${name}.bin holds ${data.length} floats, meta.json says [${meta[name]}] (${size})`);
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array, what: string): number {
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} values here, ${b.length} from PyTorch`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const eng = await E.initEngine({ log: () => {} });
const { generator, config } = generatorFromSafetensors(readFileSync(values.checkpoint), values.checkpoint);
const [lrTorch, outTorch] = [readBin('lr'), readBin('out')];
const hr = E.tensor(readBin('hr'), meta.hr);
const lrEngine = E.noGrad(() => makeLr(hr, config.generator.scale));
const lrInput = E.tensor(lrTorch, meta.lr);
const outEngine = E.noGrad(() => generator.forward(lrInput));
if (outEngine.shape.join() !== meta.out.join()) throw new Error(`output shape [${outEngine.shape}] here, [${meta.out}] from PyTorch`);
const dLr = maxAbsDiff(await lrEngine.read(), lrTorch, 'lr');
const dOut = maxAbsDiff(await outEngine.read(), outTorch, 'out');
for (const t of [hr, lrEngine, lrInput, outEngine]) t.dispose();
generator.dispose();

const adapter = eng.adapter.description || eng.adapter.device || 'WebGPU';
console.log(
  `${config.generator.arch} ${config.generator.blocks}×${config.generator.channels}: LR [${meta.lr}] → [${meta.out}] on ${adapter} vs torch ${meta.torch}`,
);
console.log(`  makeLr vs make_lr        max |Δ| = ${dLr.toExponential(2)}`);
console.log(`  generator output         max |Δ| = ${dOut.toExponential(2)}  (tolerance ${tol})`);
const pass = dLr <= tol && dOut <= tol;
console.log(JSON.stringify({ arch: config.generator.arch, lr_max_abs_diff: dLr, out_max_abs_diff: dOut, tol, pass }));
E.destroyEngine();
process.exit(pass ? 0 : 1);
