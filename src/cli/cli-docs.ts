/**
 * docs/cli.md's help blocks, filled from the same tables that parse the command line: each
 * `<!-- help: srgan NAME -->` … `<!-- end help -->` block is replaced with that command's --help
 * (`<!-- help: srgan -->` is the command list). `npm run docs:cli` rewrites the file; a unit test
 * fails when the file and the tables disagree.
 */
import { helpText } from './command.js';
import { COMMANDS, overviewText } from './commands.js';

const BLOCK = /(<!-- help: srgan( [a-z]+)? -->\n)[\s\S]*?(<!-- end help -->)/g;

export async function cliHelpFor(name: string | undefined): Promise<string> {
  if (!name) return overviewText();
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`docs/cli.md names an unknown command: srgan ${name}`);
  return helpText(await entry.load(), entry.summary);
}

export async function fillCliDocs(markdown: string): Promise<string> {
  const helps = new Map<string, string>();
  for (const m of markdown.matchAll(BLOCK)) {
    const name = m[2]?.trim() ?? '';
    helps.set(name, await cliHelpFor(name || undefined));
  }
  return markdown.replace(
    BLOCK,
    (_all, open: string, name: string | undefined, close: string) => `${open}\`\`\`text\n${helps.get(name?.trim() ?? '')}\n\`\`\`\n${close}`,
  );
}
