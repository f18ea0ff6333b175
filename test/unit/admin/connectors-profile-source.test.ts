/**
 * `scim-admin connectors` says where each connector's profile comes from: `built-in` (shipped in
 * lambdas/connectors/profiles) or `configured` (cdk.json `scim:profiles`), in the table and in
 * `--format json` (`profileSource`). Local target without data: no counts, nothing else needed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkProfiles, EXIT, LocalBackend } from '../../../bin/admin/backend.js';
import { run } from '../../../bin/admin/cli.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'configured-profiles.json'), 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'scim-admin-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cdkJson = join(dir, 'cdk.json');
writeFileSync(
  cdkJson,
  JSON.stringify({ context: { 'scim:connectors': [{ name: 'default' }, { name: 'acme-hr', profile: 'acme' }, { name: 'jostle', profile: 'jostle' }], 'scim:profiles': { acme: FIXTURE.acme } } }),
);
writeFileSync(join(dir, 'connectors.json'), JSON.stringify({ default: { tenantUrl: 'http://127.0.0.1:8080/default/scim/v2' }, 'acme-hr': { tenantUrl: 'http://127.0.0.1:8080/acme-hr/scim/v2' }, jostle: {} }));

function sink() {
  const chunks: string[] = [];
  return {
    w: new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    }),
    text: () => chunks.join(''),
  };
}

async function cli(args: string[]) {
  const out = sink();
  const err = sink();
  const code = await run([...args, '--local', '--dir', dir], { stdout: out.w, stderr: err.w }, { backend: () => new LocalBackend({ dir, cdkJson }) });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('scim-admin connectors: where each profile comes from', () => {
  it('--format json: profile and profileSource', async () => {
    const r = await cli(['connectors', '--format', 'json']);
    expect(r.code).toBe(EXIT.ok);
    expect((JSON.parse(r.stdout) as { name: string; profile: string; profileSource: string }[]).map((x) => [x.name, x.profile, x.profileSource])).toEqual([
      ['default', 'generic', 'built-in'],
      ['acme-hr', 'acme', 'configured'],
      ['jostle', 'jostle', 'built-in'],
    ]);
  });

  it('table: the PROFILE column says built-in or configured', async () => {
    const r = await cli(['connectors']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^default +generic \(built-in\) /m);
    expect(r.stdout).toMatch(/^acme-hr +acme \(configured\) /m);
    expect(r.stdout).toMatch(/^jostle +jostle \(built-in\) /m);
  });

  it('an invalid cdk.json leaves the connectors without a profile (built-in profiles only), not a failure', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ context: { 'scim:profiles': { acme: { description: 'x' } } } }));
    const p = cdkProfiles(broken);
    expect(p.byConnector.size).toBe(0);
    expect(p.registry.has('acme')).toBe(false);
    expect(cdkProfiles(cdkJson).registry.get('acme').schemas.user.resolveUrn('urn:ietf:params:scim:schemas:extension:acme:2.0:User')).toBeDefined();
  });
});
