/**
 * Pretrained models in TF.js layers format on our engine. Browser-safe: the Node reader lives in
 * node.ts (import it from Node code only).
 */
export * from './catalogue.js';
export { pretrainedFromFiles, type PretrainedModel } from './pretrained-model.js';
export { compileLayersModel, type CompiledLayersModel } from './tfjs-layers.js';
export { LayersModelFormatError, parseTopology, readWeights, type LayersModelFiles, type LayersModelJson } from './layers-format.js';
export { UnsupportedLayerError, supportedLayerClasses } from './layer-ops.js';
export { fetchLayersModelFiles, loadPretrainedFromUrl } from './browser.js';
