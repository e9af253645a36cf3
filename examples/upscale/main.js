// Upscale the page's <img> ×4 with the shipped default model, on this page's own GPUDevice.
import { createUpscaler } from 'srgan-webgpu/srgan';

const device = await (await navigator.gpu.requestAdapter()).requestDevice();
const upscaler = createUpscaler({ device }); // or { device, model: './generator.safetensors' }
const status = document.querySelector('#status');
const lr = document.querySelector('#lr');
const sr = await upscaler.upscale(lr, {
  onProgress: (done, total) => {
    status.textContent = `tile ${done} of ${total}`;
  },
});
const canvas = document.querySelector('#sr');
[canvas.width, canvas.height] = [sr.width, sr.height];
canvas.getContext('2d').putImageData(sr, 0, 0);
status.textContent = `done: ${lr.naturalWidth}×${lr.naturalHeight} → ${sr.width}×${sr.height}`;
await upscaler.dispose();
