#!/usr/bin/env node
// `srgan` command. In the npm package it runs the compiled CLI (dist/cli, built by prepack). In a
// clone of the repository, where src/ is there and tsx is a dev dependency, it runs the sources, so
// an edit takes effect without a build and a stale dist/ is never run by mistake.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/srgan.ts', import.meta.url);
const compiled = new URL('../dist/cli/srgan.js', import.meta.url);

async function tsxApi() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined; // installed from git without dev dependencies: use the build
  }
}

const tsx = existsSync(sources) ? await tsxApi() : undefined;
if (tsx) {
  tsx.register();
  await import(sources.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  console.error('srgan: the CLI is not built (dist/cli/srgan.js is missing): run npm run build:cli');
  process.exit(1);
}
