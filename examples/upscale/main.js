// Upscale photo.png ×4 with a trained SRGAN generator, on this page's own GPUDevice.
import { initEngine } from 'srgan-webgpu';
import { decodeImageBlob, encodePngBlob, generatorFromSafetensors, upscaleImage } from 'srgan-webgpu/srgan';

const device = await (await navigator.gpu.requestAdapter()).requestDevice();
await initEngine({ device });
const bytes = new Uint8Array(await (await fetch('./generator.safetensors')).arrayBuffer());
const { generator, config } = generatorFromSafetensors(bytes);
const photo = await decodeImageBlob(await (await fetch('./photo.png')).blob());
const sr = await upscaleImage((x) => generator.forward(x), photo, { outputRange: config.generator.outputRange });
document.querySelector('#sr').src = URL.createObjectURL(await encodePngBlob(sr));
document.querySelector('#status').textContent = `done: ${photo.width}×${photo.height} → ${sr.width}×${sr.height}`;
