/**
 * The SRGAN layer's errors, by what a caller can do about them: `instanceof SrganError` catches
 * every one of them, and each subclass names a kind of remedy.
 * - `ConfigError`: an option, a name or a recipe is wrong (fix the call or the command line; the
 *   CLI exits 2 on it, as on a usage error).
 * - `DataError`: an image or a data folder cannot be used (pick other data).
 * - `ModelFileError`: a model file (a generator, VGG weights, an UpscalerJS model) is missing,
 *   unreadable or not what it claims to be (get the file again, or another one).
 * Engine faults (`EngineError` and its subclasses: shapes, GPU limits, device loss …) are the
 * engine's own and stay outside this tree.
 */

export class SrganError extends Error {
  override name = 'SrganError';
}

export class ConfigError extends SrganError {
  override name = 'ConfigError';
}

export class DataError extends SrganError {
  override name = 'DataError';
}

export class ModelFileError extends SrganError {
  override name = 'ModelFileError';
}
