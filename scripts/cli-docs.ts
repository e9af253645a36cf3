/** `npm run docs:cli`: refill docs/cli.md's help blocks from the CLI's option tables. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fillCliDocs } from '../src/cli/cli-docs.js';

const file = new URL('../docs/cli.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = await fillCliDocs(before);
writeFileSync(file, after);
console.log(after === before ? 'docs/cli.md is up to date' : 'docs/cli.md: help blocks rewritten');
process.exit(0);
