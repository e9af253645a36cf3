/**
 * Multi-scale training copies of a photo folder (see src/srgan/data/multiscale-node.ts for why):
 *   npx tsx scripts/multiscale-photos.ts IN_DIR OUT_DIR [--long 1280,896,640]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LONG_SIDES, writeMultiscaleCopies } from '../src/srgan/data/multiscale-node.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { long: { type: 'string' } }, allowPositionals: true });
  const [inDir, outDir] = positionals;
  if (!inDir || !outDir || positionals.length > 2) throw new Error('usage: multiscale-photos.ts IN_DIR OUT_DIR [--long 1280,896,640]');
  const sides = values.long ? values.long.split(',').map(Number) : [...DEFAULT_LONG_SIDES];
  const r = await writeMultiscaleCopies(inDir, outDir, sides);
  console.log(`multiscale-photos: ${r.written.length} images from ${r.photos} photos (long sides ${sides.join(', ')} px) → ${outDir}`);
}

main().catch((err: Error) => {
  console.error(`multiscale-photos: ${err.message}`);
  process.exit(1);
});
