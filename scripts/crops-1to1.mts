/**
 * 1:1 crops of several models' ×4 output of the same photo region, side by side, for judging texture
 * by eye (docs/models.md's crops): the photo is upscaled at its own resolution (not a downscale), as
 * a user would, so JPEG blocks and sensor noise are in the input.
 *   npx tsx scripts/crops-1to1.mts PHOTO X,Y,SIZE OUT.png MODEL…
 * X, Y and SIZE are in the photo's pixels (the crop shown is 4·SIZE wide); a MODEL is a shipped name
 * (default, srgan, bicubic) or a generator file. Each model upscales the crop with a 16-px margin
 * of context, which is cut away, so tile and image edges do not show. Runs the CLI, as a user does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const [photo, box, out, ...models] = process.argv.slice(2);
if (!photo || !box || !out || !models.length) {
  console.error('usage: npx tsx scripts/crops-1to1.mts PHOTO X,Y,SIZE OUT.png MODEL…');
  process.exit(2);
}
const [x, y, size] = box.split(',').map(Number);
const MARGIN = 16,
  GAP = 4;
const meta = await sharp(photo).metadata();
const left = Math.max(0, x - MARGIN),
  top = Math.max(0, y - MARGIN);
const width = Math.min(meta.width!, x + size + MARGIN) - left,
  height = Math.min(meta.height!, y + size + MARGIN) - top;
const dir = mkdtempSync(join(tmpdir(), 'crops-'));
const region = join(dir, 'region.png');
await sharp(photo).extract({ left, top, width, height }).png().toFile(region);

const tiles: Buffer[] = [];
for (const [i, model] of models.entries()) {
  const up = join(dir, `${i}.png`);
  if (model === 'bicubic')
    await sharp(region)
      .resize(width * 4, height * 4, { kernel: 'cubic' })
      .png()
      .toFile(up);
  else {
    const which = /\.safetensors$/.test(model) ? ['--checkpoint', model] : ['-n', model];
    execFileSync('npx', ['srgan', 'upscale', '-i', region, '-o', up, ...which], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  tiles.push(
    await sharp(up)
      .extract({ left: 4 * (x - left), top: 4 * (y - top), width: 4 * size, height: 4 * size })
      .png()
      .toBuffer(),
  );
}
const side = 4 * size;
await sharp({ create: { width: models.length * (side + GAP) - GAP, height: side, channels: 3, background: '#ffffff' } })
  .composite(tiles.map((input, i) => ({ input, left: i * (side + GAP), top: 0 })))
  .png()
  .toFile(out);
console.log(`${out}: ${models.join(' | ')} (${side}×${side} each, 1:1)`);
