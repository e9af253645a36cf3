/**
 * Print a full SrganConfig as JSON for scripts/torch/train_ddp.py, from the engine's own presets
 * (src/srgan/config.ts), so the PyTorch side never keeps a copy of them.
 *
 *   npx tsx scripts/torch/make-config.ts --preset paper [--set generator.blocks=2 --set phase1Steps=10 …] > cfg.json
 *
 * Each --set is `dotted.path=VALUE`, VALUE parsed as JSON when it parses (numbers, arrays) and as
 * a string otherwise. The result goes through makeConfig, so a bad override fails here.
 */
import { parseArgs } from 'node:util';
import { makeConfig, type PresetName } from '../../src/srgan/config.js';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'tiny' }, set: { type: 'string', multiple: true, default: [] } } });

type Tree = Record<string, unknown>;
const overrides: Tree = {};
for (const assignment of values.set) {
  const eq = assignment.indexOf('=');
  if (eq < 1) throw new Error(`--set ${assignment}: expected path=value`);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let node = overrides;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Tree;
  node[path.at(-1)!] = value;
}
console.log(JSON.stringify(makeConfig(values.preset as PresetName, overrides), null, 2));
