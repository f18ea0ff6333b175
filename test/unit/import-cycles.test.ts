/**
 * Configuration and CDK code read one way (DESIGN.md "Layers"): no two files of lambdas/, lib/ or
 * bin/ import each other, directly or through others, and the connector configuration never
 * imports up into the features built on it.
 *
 * No cycle checker (madge, dependency-cruiser) is installed; the TypeScript compiler, already a
 * devDependency, lists each file's imports (`import`, `export … from`, `import()`, type-only ones
 * included: they tie two files together for a reader all the same), and a short Tarjan search
 * finds the cycles.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DIRS = ['lambdas', 'lib', 'bin'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Project files `file` imports (relative specifiers; `.js` written for `.ts` sources). */
function localImports(file: string, known: ReadonlySet<string>): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'))
    .filter((p) => known.has(p));
}

function importGraph(): Map<string, string[]> {
  const files = DIRS.flatMap((d) => tsFiles(join(root, d)));
  const known = new Set(files);
  return new Map(files.map((f) => [relative(root, f), localImports(f, known).map((p) => relative(root, p))]));
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('imports', () => {
  const graph = importGraph();

  it('form no cycle among lambdas/, lib/ and bin/', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('the connector configuration imports nothing built on it (webhooks, events delivery, http, handlers, provisioning, lib)', () => {
    const up = /^(lambdas\/(webhooks|http|handlers|provisioning)\/|lib\/|bin\/)/;
    const offenders = [...graph]
      .filter(([file]) => file.startsWith('lambdas/connectors/'))
      .flatMap(([file, deps]) => deps.filter((d) => up.test(d) || /^lambdas\/events\/(?!kinds\.ts|schema\.ts)/.test(d)).map((d) => `${file} imports ${d}`));
    expect(offenders).toEqual([]);
  });

  it('reads real imports, and finds a cycle when there is one', () => {
    expect(graph.get('lib/app.ts')).toEqual(expect.arrayContaining(['lib/config.ts', 'lib/scim-stack.ts']));
    expect(graph.get('lib/scim-stack.ts')!.length).toBeGreaterThan(10);
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']]]))).toEqual([['a', 'b', 'c'], ['e']]);
  });
});
