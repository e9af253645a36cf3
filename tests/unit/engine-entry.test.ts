/**
 * The engine's public entry holds the public API only, and code outside the engine reaches it
 * through its entries: `src/engine/index.ts` (platform-neutral), `src/engine/node.ts` (Node) and,
 * for tests and benchmarks only, `src/engine/testing.ts` (hooks and float64 references).
 * The srgan entry (`srgan-webgpu/srgan`: `src/srgan/index.ts`, `src/srgan/node.ts`) lists its
 * exports by name too, and its test-only names live in `src/srgan/testing.ts`.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as publicApi from '../../src/engine/index.js';
import * as nodeApi from '../../src/engine/node.js';
import * as testing from '../../src/engine/testing.js';
import * as srganApi from '../../src/srgan/index.js';
import * as srganNodeApi from '../../src/srgan/node.js';
import * as srganTesting from '../../src/srgan/testing.js';
import { importsOf, REPO, sourceFiles } from '../helpers/source-imports.js';

const ENTRIES = new Set(['src/engine/index.ts', 'src/engine/node.ts', 'src/engine/testing.ts']);
/** Names that exist to force kernels or reach internals in tests; the public entry must not carry them. */
const TEST_HOOKS =
  /^(ref|set\w*Kernel$|kernelOverride$|unary$|binary$|unaryOps$|binaryOps$|halfToF32Bits$|sizeClass$|BatchTracker$|grid1d$|setNodeGpuSource$|Heap$)/;

describe('the engine entry', () => {
  it('exports no float64 reference and no test hook, in Node or not', () => {
    for (const api of [publicApi, nodeApi, publicApi.nn]) {
      const leaked = Object.keys(api).filter((n) => TEST_HOOKS.test(n));
      expect(leaked).toEqual([]);
    }
    // The pattern does match what the testing entry holds, so an empty list above means something.
    expect(Object.keys(testing).filter((n) => TEST_HOOKS.test(n)).length).toBe(Object.keys(testing).length);
  });

  it('lists its exports by name (no `export *` that would carry new internals along)', () => {
    const text = readFileSync(join(REPO, 'src/engine/index.ts'), 'utf8');
    expect(text).not.toMatch(/^export \* from/m);
  });

  it('is not the testing entry: package.json exports never point at testing', () => {
    const exportsField = JSON.stringify(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).exports);
    expect(exportsField).not.toMatch(/testing/);
  });

  it('is the only way into the engine from outside it', () => {
    const outside = ['src', 'tests', 'bench', 'scripts'].flatMap(sourceFiles).filter((f) => !f.startsWith('src/engine/'));
    const internal: string[] = [];
    const testingFromSrc: string[] = [];
    for (const file of outside) {
      for (const imp of importsOf(file)) {
        if (!imp.target?.startsWith('src/engine/')) continue;
        if (!ENTRIES.has(imp.target)) internal.push(`${file} imports ${imp.specifier}`);
        else if (imp.target === 'src/engine/testing.ts' && file.startsWith('src/')) testingFromSrc.push(file);
      }
    }
    expect(outside.length).toBeGreaterThan(50);
    expect(internal).toEqual([]);
    expect(testingFromSrc).toEqual([]);
  });
});

/** What `srgan-webgpu/srgan` gives a user (values only; types are erased). A change here is a change of the package's API. */
const SRGAN_PUBLIC = [
  'CheckpointError',
  'ConfigError',
  'DataError',
  'DatasetError',
  'Discriminator',
  'GRID_COLUMNS',
  'Generator',
  'ImageDecodeError',
  'ImageShapeError',
  'MODEL_NAMES',
  'ModelFileError',
  'NonFiniteLossError',
  'PhotoDataset',
  'RECIPE_FORMAT',
  'RunFiles',
  'SHIPPED_MODELS',
  'SHIPPED_NAMES',
  'SHIPPED_RECIPES',
  'configToRecipe',
  'formatRecipe',
  'parseRecipe',
  'recipeToConfig',
  'SrganError',
  'Trainer',
  'UpscalerError',
  'bicubicUpscale',
  'centreCrops',
  'chooseModel',
  'compareImages',
  'createUpscaler',
  'decodeImageBlob',
  'encodePngBlob',
  'evaluate',
  'evaluateModel',
  'evaluateOnImages',
  'fetchModelReader',
  'flatRegionSharpness',
  'generatorFromSafetensors',
  'generatorInference',
  'generatorInferenceFromBytes',
  'generatorParamCount',
  'generatorToSafetensors',
  'imageToTensor',
  'initGeneratorFrom',
  'interpolateGenerators',
  'isShippedName',
  'laplacianVariance',
  'lumaY',
  'makeConfig',
  'makeLr',
  'modCrop',
  'phasePattern',
  'presets',
  'pretrained',
  'pretrainedInference',
  'psnr',
  'renderSampleGrid',
  'resolveModel',
  'runGenerator',
  'runSession',
  'ssim',
  'tensorToImage',
  'upscaleImage',
  'validateConfig',
  'vggFor',
];
/** And in Node, on top: image files through sharp, image folders, UpscalerJS models from node_modules. */
const SRGAN_NODE_ONLY = [
  'IMAGE_EXTENSIONS',
  'decodeImage',
  'encodePng',
  'listImageFiles',
  'loadPretrainedNode',
  'openImageFolder',
  'readImage',
  'readImageFolder',
  'readImageInfo',
  'writePng',
];

describe('the srgan entry', () => {
  it('lists its exports by name (no `export *` that would carry new internals along)', () => {
    const text = readFileSync(join(REPO, 'src/srgan/index.ts'), 'utf8');
    expect(text).not.toMatch(/^export \* from/m);
    expect(Object.keys(srganApi).sort()).toEqual([...SRGAN_PUBLIC].sort());
    expect(Object.keys(srganNodeApi).sort()).toEqual([...SRGAN_PUBLIC, ...SRGAN_NODE_ONLY].sort());
  });

  it('exports no test hook or internal, in Node or not; those are in src/srgan/testing.ts', () => {
    const internals = [...Object.keys(srganTesting), 'setModelReader', 'withConfigDefaults', 'toUnitRange', 'readGeneratorFileFor'];
    for (const api of [srganApi, srganNodeApi]) expect(Object.keys(api).filter((n) => internals.includes(n))).toEqual([]);
    expect(Object.keys(srganTesting)).toEqual(expect.arrayContaining(['setDefaultModelReader', 'reflectIndex', 'DEFAULT_GENERATOR_PATH']));
  });
});
