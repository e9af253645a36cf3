/**
 * `srgan-webgpu/srgan`: the browser-safe SRGAN API for pages that embed a trained model
 * (networks, checkpoints, image decoding in the browser, tiled upscaling, metrics, training).
 * Node-only modules (sharp decoding, run folders, folder readers) are left out on purpose.
 */
export * from '../srgan/config.js';
export { Generator, generatorParamCount } from '../srgan/models/generator.js';
export { Discriminator } from '../srgan/models/discriminator.js';
export * from '../srgan/checkpoint.js';
export * from '../srgan/image/types.js';
export * from '../srgan/image/browser.js';
export * from '../srgan/image/tensor.js';
export * from '../srgan/upscale.js';
export * from '../srgan/metrics.js';
export { makeLr, bicubicUpscale } from '../srgan/data/degrade.js';
export { PhotoDataset, DatasetError, type DatasetOptions, type HostBatch } from '../srgan/data/dataset.js';
export { Trainer, NonFiniteLossError, type StepLog, type TrainerSnapshot, type TrainerState, type HrBatch } from '../srgan/train/trainer.js';
export { renderSampleGrid, centreCrops, GRID_COLUMNS, type GridImage } from '../srgan/train/sample-grid.js';
export * as pretrained from '../srgan/pretrained/index.js';
