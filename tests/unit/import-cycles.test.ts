/**
 * No import cycles in src/: a module's imports finish loading before it runs, and the layers read
 * one way (a cycle makes load order matter and hides which layer depends on which). Type-only
 * imports are erased by the compiler, so they cannot form a cycle and are not counted; dynamic
 * `import()` loads later and is not counted either.
 *
 * One known knot is listed, to be broken, not added to: the op families whose backward passes compose
 * each other's forwards (elementwise gradients reduce broadcast axes with `sum`; the reductions'
 * gradients broadcast with layout and divide and compare with elementwise ops; the CPU elementwise
 * path takes its axis merging from layout).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO, sourceFiles } from '../helpers/source-imports.js';

const KNOWN = [['src/engine/ops/cpu/elementwise.ts', 'src/engine/ops/elementwise.ts', 'src/engine/ops/layout.ts', 'src/engine/ops/reduce.ts']];

const strip = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
/** `import … from`, `export … from` and `import '…'` at the top level; type-only ones left out. */
const STATIC = /^\s*(import|export)(\s+type\b)?\s*([^'";]*?)\s*(?:from\s*)?['"]([^'"]+)['"]/gm;

/** The value imports of a file, as repository paths (relative specifiers only). */
function valueImports(file: string): string[] {
  const out: string[] = [];
  for (const m of strip(readFileSync(join(REPO, file), 'utf8')).matchAll(STATIC)) {
    const [, , typeOnly, clause, spec] = m;
    if (typeOnly || !spec.startsWith('.')) continue;
    const names = /^\{([^}]*)\}$/
      .exec(clause.trim())?.[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names?.length && names.every((n) => n.startsWith('type '))) continue;
    const target = relative(REPO, resolve(REPO, dirname(file), spec))
      .replace(/\\/g, '/')
      .replace(/\.js$/, '.ts');
    if (existsSync(join(REPO, target))) out.push(target);
  }
  return out;
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(),
    low = new Map<string, number>(),
    onStack = new Set<string>(),
    stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe('import cycles', () => {
  it('src/ has none but the known op-family knot', () => {
    const files = sourceFiles('src');
    expect(files.length).toBeGreaterThan(150);
    expect(cycles(new Map(files.map((f) => [f, valueImports(f)])))).toEqual(KNOWN);
  });

  it('finds a cycle where there is one, and reads type-only imports as no edge', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
    // Generator.enhance is gone, so generator no longer imports inference; inference → generator is
    // `import type` (no edge), and the trainer runs its generator through inference's runGenerator.
    expect(valueImports('src/srgan/models/generator.ts')).not.toContain('src/srgan/serve/inference.ts');
    expect(valueImports('src/srgan/train/trainer.ts')).toContain('src/srgan/serve/inference.ts');
    expect(valueImports('src/srgan/serve/inference.ts')).not.toContain('src/srgan/models/generator.ts');
    expect(valueImports('src/srgan/store/checkpoint.ts')).toContain('src/srgan/models/generator.ts');
    // And autograd sums gradients through the runtime's kernel, not the elementwise ops that record into it.
    expect(valueImports('src/engine/autograd.ts')).not.toContain('src/engine/ops/elementwise.ts');
    expect(valueImports('src/engine/tensor.ts')).not.toContain('src/engine/autograd.ts');
  });
});
