/**
 * `srgan-webgpu/srgan`: the platform-neutral SRGAN API for pages that embed a trained model
 * (networks, checkpoints, image decoding in the browser, tiled upscaling, metrics, training).
 * Node-only modules are named `*node.ts` (the rule in docs/engine.md) and reach Node users through
 * `./node.ts`, which package.json picks under the `node` condition.
 */
export * from './config.js';
export { Generator, generatorParamCount } from './models/generator.js';
export { Discriminator } from './models/discriminator.js';
export * from './checkpoint.js';
export * from './image/types.js';
export * from './image/browser.js';
export * from './image/tensor.js';
export * from './upscale.js';
export * from './metrics.js';
export { evaluateModel, evaluateOnImages, type SrRunner } from './evaluate.js';
export { makeLr, bicubicUpscale } from './data/degrade.js';
export { PhotoDataset, DatasetError, type DatasetOptions, type HostBatch } from './data/dataset.js';
export { Trainer, NonFiniteLossError, type StepLog, type TrainerSnapshot, type TrainerState, type HrBatch } from './train/trainer.js';
export { renderSampleGrid, centreCrops, GRID_COLUMNS, type GridImage } from './train/sample-grid.js';
export { runSession, vggFor, type SessionOptions, type SessionResult, type ReportContext } from './train/session.js';
export { RunFiles, type RunStore, type CheckpointInfo } from './train/run-store.js';
export * as pretrained from './pretrained/index.js';
export * from './inference.js';
export * from './shipped-models.js';
export {
  createUpscaler, UpscalerError,
  type Upscaler, type UpscalerOptions, type UpscaleCallOptions, type ImageDataLike, type UpscalerInput,
} from './upscaler.js';
export {
  chooseModel, resolveModel, fetchModelReader, generatorInferenceFromBytes, MODEL_NAMES,
  type ModelReader, type ModelRequest, type ModelChoice, type ModelSource, type ResolvedModel,
} from './model-resolver.js';
export * from './errors.js';
