import { expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { nn } from '../../src/engine/index.js';
import { forEachBackend } from '../helpers/gpu.js';

const { BatchNorm2d, Conv2d, manualSeed, PReLU, Sequential } = nn;

/** conv-BN-PReLU-conv, the SRResNet building block in miniature. */
function tinyNet(): nn.Sequential {
  manualSeed(11);
  return new Sequential(new Conv2d(3, 8, 3, { padding: 'same' }), new BatchNorm2d(8), new PReLU(8), new Conv2d(8, 3, 3, { padding: 'same' }));
}

function step(net: nn.Sequential, opt: E.Optimizer, x: E.Tensor, y: E.Tensor): E.Tensor {
  return E.tidy(() => {
    opt.zeroGrad();
    const loss = E.mseLoss(net.call(x), y);
    E.backward(loss);
    opt.step();
    return loss.detach();
  });
}

forEachBackend('CNN training', (backend) => {
  // Convergence is a property of the ops, which the op suites check on both backends. Its 300
  // steps take ~45 s on SwiftShader, so it runs where training is fast: the CPU backend.
  const cpuOnly = backend === 'cpu' ? it : () => {};
  cpuOnly('conv-BN-PReLU-conv overfits one batch of random images: loss drops by more than 10×', async () => {
    const net = tinyNet();
    const x = E.randNormal([2, 3, 9, 7], 0, 1, 1);
    const y = E.randUniform([2, 3, 9, 7], -1, 1, 2);
    const opt = new E.Adam(net.parameters(), { lr: 0.01 });
    const first = await step(net, opt, x, y).item();
    let last = first;
    for (let i = 0; i < 300; i++) {
      const l = step(net, opt, x, y);
      if (i === 299) last = await l.item();
      l.dispose();
    }
    expect(first / last).toBeGreaterThan(10);
    net.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });

  // 200 steps on the CPU backend, whose heap never shrinks, so that a leak shows as growth; on
  // SwiftShader a step costs ~0.3 s, and 30 steps after the first already show a pool that grows.
  const steps = backend === 'cpu' ? 200 : 30;
  it(`${steps} conv training steps leave the engine's memory flat`, async () => {
    const net = tinyNet();
    const x = E.randNormal([2, 3, 8, 8], 0, 1, 3);
    const y = E.randNormal([2, 3, 8, 8], 0, 1, 4);
    const opt = new E.Adam(net.parameters(), { lr: 1e-3 });
    step(net, opt, x, y).dispose();
    await E.engine().sync();
    const before = { ...E.engine().memory(), tensors: E.liveTensorCount() };
    for (let i = 0; i < steps; i++) step(net, opt, x, y).dispose();
    await E.engine().sync();
    const after = { ...E.engine().memory(), tensors: E.liveTensorCount() };
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.tensors).toBe(before.tensors);
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
    net.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });
});
