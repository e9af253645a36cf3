/**
 * The import specifiers of the repository's TypeScript sources, read as text (no compiler needed):
 * static imports, `export … from`, side-effect imports, dynamic `import('…')` and `require('…')`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

export interface SourceImport {
  /** The importing file, relative to the repository root with forward slashes. */
  file: string;
  specifier: string;
  /** The imported file relative to the repository root (`.js` read as `.ts`), for relative specifiers. */
  target?: string;
}

/** Every .ts file under `dir` (relative to the repository root), skipping node_modules. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(join(REPO, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const PATTERNS = [
  /^\s*(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/gm, // import … from 'x' / export … from 'x'
  /^\s*import\s*['"]([^'"]+)['"]/gm, // import 'x'
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // import('x')
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g, // require('x')
];

/** Block and line comments out, so a specifier quoted in a comment is not read as an import. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function importsOf(file: string): SourceImport[] {
  const text = stripComments(readFileSync(join(REPO, file), 'utf8'));
  const found: SourceImport[] = [];
  for (const re of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const specifier = m[1];
      const target = specifier.startsWith('.')
        ? relative(REPO, resolve(REPO, dirname(file), specifier))
            .replace(/\\/g, '/')
            .replace(/\.js$/, '.ts')
        : undefined;
      found.push({ file, specifier, target });
    }
  }
  return found;
}
