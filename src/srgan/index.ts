/**
 * `srgan-webgpu/srgan`: the platform-neutral SRGAN API for pages that embed a trained model
 * (upscaling, models and their files, networks, image decoding in the browser, metrics, training).
 * Node-only modules are named `*node.ts` (the rule in docs/engine.md) and reach Node users through
 * `./node.ts`, which package.json picks under the `node` condition.
 *
 * Exports are listed by name: a module's new helper stays internal until it is added here. Names
 * that exist for tests (hooks, internals they drive directly) are in `./testing.ts`, which is not
 * in the package; tests/unit/engine-entry.test.ts checks that none of them leaks in here.
 */

// Upscaling: one call, and the model resolver behind it.
export {
  createUpscaler,
  UpscalerError,
  type Upscaler,
  type UpscalerOptions,
  type UpscaleCallOptions,
  type ImageDataLike,
  type UpscalerInput,
} from './serve/upscaler.js';
export {
  chooseModel,
  resolveModel,
  fetchModelReader,
  generatorInferenceFromBytes,
  MODEL_NAMES,
  type ModelReader,
  type ModelRequest,
  type ModelChoice,
  type ModelSource,
  type ResolvedModel,
} from './serve/model-resolver.js';
export { SHIPPED_MODELS, SHIPPED_NAMES, isShippedName, type ShippedModel, type ShippedName } from './shipped-models.js';
export { upscaleImage, type UpscaleOptions } from './serve/upscale.js';
export { generatorInference, pretrainedInference, runGenerator, type InferenceModel } from './serve/inference.js';
export * as pretrained from './pretrained/index.js';

// Errors, by what a caller can do about them.
export { SrganError, ConfigError, DataError, ModelFileError } from './errors.js';

// Images.
export { ImageDecodeError, ImageShapeError, type HostImage, type Channels } from './image/types.js';
export { decodeImageBlob, encodePngBlob } from './image/browser.js';
export { imageToTensor, tensorToImage } from './image/tensor.js';

// Networks, recipes and generator files.
export {
  makeConfig,
  validateConfig,
  presets,
  type SrganConfig,
  type GeneratorConfig,
  type DiscriminatorConfig,
  type PresetName,
  type GanLoss,
  type PixelRange,
} from './config.js';
export { RECIPE_FORMAT, SHIPPED_RECIPES, configToRecipe, formatRecipe, parseRecipe, recipeToConfig, type Recipe } from './recipe.js';
export { Generator, generatorParamCount } from './models/generator.js';
export { Discriminator } from './models/discriminator.js';
export {
  CheckpointError,
  generatorFromSafetensors,
  generatorToSafetensors,
  initGeneratorFrom,
  interpolateGenerators,
  type LoadedGenerator,
} from './store/checkpoint.js';

// Metrics and evaluation (the paper's protocol: Y channel, border crop).
export {
  psnr,
  ssim,
  lumaY,
  compareImages,
  evaluate,
  modCrop,
  laplacianVariance,
  flatRegionSharpness,
  phasePattern,
  type MetricSet,
  type EvalReport,
  type EvalImageResult,
  type Plane,
  type PhaseAmplitudes,
  type LowResMaker,
} from './metrics.js';
export { evaluateModel, evaluateOnImages, type SrRunner } from './evaluate.js';

// Data and training.
export { makeLr, bicubicUpscale } from './data/degrade.js';
export { PhotoDataset, DatasetError, type DatasetOptions, type HostBatch } from './data/dataset.js';
export { Trainer, NonFiniteLossError, type StepLog, type TrainerSnapshot, type TrainerState, type HrBatch } from './train/trainer.js';
export { renderSampleGrid, centreCrops, GRID_COLUMNS, type GridImage } from './report/sample-grid.js';
export { runSession, vggFor, type SessionOptions, type SessionResult, type ReportContext } from './train/session.js';
export { RunFiles, type RunStore, type CheckpointInfo } from './store/run-store.js';
