/**
 * Bundle sizes are deterministic, so they are asserted: each Lambda bundled with the CDK stack's
 * esbuild settings (test/bench/bundles.ts) must stay within its budget. The settings themselves
 * are checked against lib/constructs/scim-function.ts so the measurement cannot drift from what
 * ships. Cold import time is measured by `npm run bench`, not asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV_CREDENTIALS_MODULE } from '../../lib/constructs/scim-function.js';
import { BUNDLE_BUDGET_BYTES, CDK_ESBUILD, FUNCTIONS, REQUIRE_SHIM, SIZE_TARGETS_KIB, bundle } from '../bench/bundles.js';

const out = mkdtempSync(join(tmpdir(), 'scim-bundle-size-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bundle sizes', () => {
  it('the bench bundles with the same esbuild settings as the CDK construct', () => {
    const src = readFileSync(join(import.meta.dirname, '../../lib/constructs/scim-function.ts'), 'utf8');
    expect(src).toContain(JSON.stringify(REQUIRE_SHIM));
    for (const setting of ['format: OutputFormat.ESM', "target: 'node22'", "platform: 'node'", "mainFields: ['module', 'main']", 'minify: true', 'sourceMap: true', 'sourcesContent: false', 'banner: REQUIRE_SHIM', 'externalModules: []']) {
      expect(src, setting).toContain(setting);
    }
    // The only esbuild argument: the env-only credential provider alias, mirrored in CDK_ESBUILD.alias.
    expect(src).toContain("esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': ENV_CREDENTIALS_MODULE }");
    expect(CDK_ESBUILD.alias).toEqual({ '@aws-sdk/credential-provider-node': ENV_CREDENTIALS_MODULE });
    expect(CDK_ESBUILD).toMatchObject({ format: 'esm', target: 'node22', minify: true, sourcesContent: false });
  });

  it.each(['authorizer', 'token-age', 'webhooks'] as const)('%s carries no zod (secrets are parsed by the zod-free rotating-secret module)', async (fn) => {
    const b = await bundle(fn, out);
    expect(b.packages.map(([p]) => p)).not.toContain('zod');
  }, 60_000);

  it.each(FUNCTIONS)('%s stays within its budget', async (fn) => {
    const b = await bundle(fn, out);
    const top = b.packages.slice(0, 5).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`).join(', ');
    console.log(`${fn}: ${(b.bytes / 1024).toFixed(1)} KiB (budget ${(BUNDLE_BUDGET_BYTES[fn] / 1024).toFixed(0)}, target ${SIZE_TARGETS_KIB[fn]}) — ${top}`);
    expect(b.bytes, `${fn} bundle grew: ${top}`).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES[fn]);
  }, 60_000);
});
