/**
 * Test-only entry of the SRGAN layer (tests and scripts; not part of the package): the hooks that
 * swap a dependency, and the internals that tests drive directly. Public names come from
 * `./index.ts` (or `./node.ts`); none of these may appear there (tests/unit/engine-entry.test.ts).
 */
export { setDefaultModelReader, defaultModelReader } from './serve/model-resolver.js';
export { DEFAULT_GENERATOR_PATH } from './store/checkpoint.js';
export { shippedModel } from './shipped-models.js';
export { planTiles, reflectIndex, upscaleStrips, defaultTile, type Tile, type OutputStrip } from './serve/upscale.js';
export { toUnitPixels } from './serve/inference.js';
export { cropPlane } from './metrics.js';
export { quantize8, toRgbPlanes, fromRgbPlanes } from './image/types.js';
