/**
 * A consumer project for the packed tarball, installable offline. Its lock file pins the runtime
 * dependencies to this repository's locked versions: without it npm would resolve each range to the
 * newest version in the cached registry index, whose tarball `npm ci` never fetched, and the
 * offline install would fail as soon as a dependency published a patch. This is the lock a user
 * gets from `npm install srgan-webgpu`, minus the dev dependencies, which a consumer never installs.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version: string;
  resolved?: string;
  dev?: boolean;
  [k: string]: unknown;
}

/** The registry's tarball URL of a locked package (this repo's lock omits `resolved`). */
function tarballUrl(path: string, entry: LockEntry): string {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

/** Write package.json and package-lock.json for a project that depends on the tarball `pkg.tgz` in `dir`. */
export function writeConsumer(dir: string, repo: string): void {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const tarball = readFileSync(join(dir, 'pkg.tgz'));
  const runtime = Object.fromEntries(
    Object.entries(lock.packages)
      .filter(([path, e]) => path !== '' && !e.dev)
      .map(([path, e]) => [path, { ...e, resolved: tarballUrl(path, e) }]),
  );
  const self = {
    version: pkg.version,
    resolved: 'file:pkg.tgz',
    license: pkg.license,
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    dependencies: pkg.dependencies,
    peerDependencies: pkg.peerDependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta,
    bin: pkg.bin,
    engines: pkg.engines,
  };
  const deps = { [pkg.name]: 'file:pkg.tgz' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify(
      {
        name: 'consumer',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'consumer', dependencies: deps }, [`node_modules/${pkg.name}`]: self, ...runtime },
      },
      null,
      2,
    ),
  );
}
