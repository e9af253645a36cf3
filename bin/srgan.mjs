#!/usr/bin/env node
// `srgan` command: runs the TypeScript CLI through tsx's loader (no build step in the repo).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/srgan.ts');
