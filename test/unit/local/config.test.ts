/**
 * `npm start` reads `scim:connectors` with `scim:profiles` from cdk.json (bin/local/config.ts), the
 * way `cdk synth` does: configured profiles are served, and a mistake in either key stops it with
 * one message naming every bad field — exit code 1, no stack trace (bin/local.ts).
 */
import { problemsOf } from '../../support/config-errors.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CdkContextError, readCdkConnectorSetup, readCdkConnectors } from '../../../bin/local/config.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'configured-profiles.json'), 'utf8')) as Record<string, Record<string, any>>;
const dir = mkdtempSync(join(tmpdir(), 'scim-local-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cdkJson(name: string, context: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ app: 'npx tsx bin/scim.ts', context }));
  return file;
}

const badAcme = structuredClone(FIXTURE.acme!);
badAcme.rules.User.dropInvalid[1].accept.pattern = '^([A-Z]{2})\\1$';
const BAD = cdkJson('bad', { 'scim:connectors': [{ name: 'acme', profile: 'acme' }, { name: 'other', profile: 'acme2' }], 'scim:profiles': { acme: badAcme } });

describe('npm start configuration', () => {
  it('connectors may name configured profiles; the registry knows where each comes from', () => {
    const file = cdkJson('good', { 'scim:connectors': [{ name: 'default' }, { name: 'acme-hr', profile: 'acme' }], 'scim:profiles': { acme: FIXTURE.acme } });
    const { connectors, profiles } = readCdkConnectorSetup(file);
    expect(connectors.map((c) => [c.name, c.profile, profiles.origin(c.profile)])).toEqual([
      ['default', 'generic', 'built-in'],
      ['acme-hr', 'acme', 'configured'],
    ]);
    expect(readCdkConnectors(file).map((c) => c.name)).toEqual(['default', 'acme-hr']);
  });

  it('every problem of both keys in one error, each naming its field', () => {
    expect(problemsOf(() => readCdkConnectorSetup(BAD), CdkContextError)).toEqual([
      'scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: backreferences are not supported (patterns run in linear time) (character 12)',
      'scim:connectors[1].profile: must be one of: generic, askspoke, spaceiq, jostle, ideo, acme',
    ]);
  });

  it('`npm start` prints them and exits 1, without a stack trace', async () => {
    // bin/local.ts reads the repository's cdk.json: this run is shown BAD instead (readFileSync of
    // any `…/cdk.json` answers BAD's content), then the real entry point runs.
    const script = `
      import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const read = fs.readFileSync;
      fs.readFileSync = (p, ...rest) => read(typeof p === 'string' && p.endsWith('/cdk.json') ? ${JSON.stringify(BAD)} : p, ...rest);
      syncBuiltinESMExports();
      await import('./bin/local.ts');`;
    const error = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, SCIM_LOCAL_DIR: join(dir, 'state'), PORT: '0' },
      timeout: 60_000,
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain('invalid cdk.json context:');
    expect(error?.stderr).toContain('scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: backreferences are not supported');
    expect(error?.stderr).toContain('scim:connectors[1].profile: must be one of:');
    expect(error?.stderr).not.toMatch(/^\s+at /m);
  }, 90_000);
});
