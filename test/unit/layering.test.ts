/**
 * Layer rule (DESIGN.md): SCIM core ← store ← service ← handlers; lib/ is CDK only.
 * The core must stay pure: no AWS SDK, no middy, no storage, no Node I/O.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

describe('layering', () => {
  it('keeps the SCIM core free of AWS, middy, storage and I/O imports', () => {
    const coreDir = join(root, 'lambdas', 'scim');
    const offenders: string[] = [];
    for (const f of tsFiles(coreDir)) {
      for (const spec of imports(f)) {
        const bad =
          spec.startsWith('@aws-sdk/') ||
          spec.startsWith('@middy/') ||
          spec.startsWith('@aws-lambda-powertools/') ||
          spec.startsWith('aws-cdk-lib') ||
          /\/(store|provisioning|handlers|http)\//.test(spec) ||
          /^node:(fs|net|http|https|child_process)/.test(spec);
        if (bad) offenders.push(`${relative(root, f)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('checks real files (the rule is not vacuous)', () => {
    expect(tsFiles(join(root, 'lambdas', 'scim')).length).toBeGreaterThan(3);
  });
});
