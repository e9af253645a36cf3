/** `--degrade SPEC` of srgan train and srgan eval: checked once here, so a typo is a usage error that shows the grammar. */
import { DegradeSpecError, degradedLowRes, parseDegradeSpec } from '../srgan/data/degradations/index.js';
import type { HostImage } from '../srgan/image/types.js';
import { UsageError } from './command.js';

function checked<T>(command: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof DegradeSpecError) throw new UsageError(`srgan ${command}: --degrade: ${e.message}`);
    throw e;
  }
}

/** The spec as given, once it parses (train stores it in the config). */
export function degradeOption(command: string, spec: string | undefined): string | undefined {
  if (spec !== undefined) checked(command, () => parseDegradeSpec(spec));
  return spec;
}

/** eval's LR maker for a spec (image i always degraded the same way), or undefined for the plain bicubic LR. */
export function degradedLowResOption(spec: string | undefined, scale: number): ((hr: HostImage, index: number) => HostImage) | undefined {
  return spec === undefined ? undefined : checked('eval', () => degradedLowRes(spec, scale));
}
