/**
 * `srgan-webgpu/srgan` in Node (package.json picks it under the `node` condition): everything of
 * `./index.ts`, the engine started on Dawn (through the engine's Node entry), and the Node-only
 * helpers: image files through sharp, image folders, and the UpscalerJS models from node_modules.
 */
import '../engine/node.js';
import './serve/model-reader-node.js';

export * from './index.js';
export { decodeImage, readImage, readImageInfo, encodePng, writePng, listImageFiles, IMAGE_EXTENSIONS, type ImageInfo } from './image/node.js';
export { readImageFolder, openImageFolder } from './data/folder-node.js';
export { loadPretrainedNode } from './pretrained/node.js';
