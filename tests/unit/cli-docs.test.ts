/** docs/cli.md shows each command's --help as the option tables produce it (so the reference cannot drift). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fillCliDocs } from '../../src/cli/cli-docs.js';
import { COMMANDS } from '../../src/cli/commands.js';

describe('docs/cli.md', () => {
  const doc = readFileSync('docs/cli.md', 'utf8');

  it('has a help block for every command', () => {
    for (const c of COMMANDS) expect(doc).toContain(`<!-- help: srgan ${c.name} -->`);
  });

  it('matches the option tables (run npm run docs:cli after changing an option)', async () => {
    expect(await fillCliDocs(doc)).toBe(doc);
  });
});
