// node upscale.mjs photo.png photo_x4.png: upscale ×4 with the shipped default model, on Dawn.
import sharp from 'sharp';
import { createUpscaler } from 'srgan-webgpu/srgan';

const [input, output] = process.argv.slice(2);
const { data, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
const upscaler = createUpscaler(); // or { model: 'esrgan-slim' }, { model: 'my-generator.safetensors' }
const sr = await upscaler.upscale(
  { data, width: info.width, height: info.height },
  { onProgress: (done, total) => process.stderr.write(`\rtile ${done}/${total}`) },
);
await sharp(sr.data, { raw: { width: sr.width, height: sr.height, channels: 4 } }).toFile(output);
await upscaler.dispose(); // frees the GPU, so the process can exit
console.log(`\n${input} ${info.width}×${info.height} → ${output} ${sr.width}×${sr.height}`);
