/**
 * `scim-admin cursor-key rotate [--grace]` against a "deployed stack" (Secrets Manager through
 * aws-sdk-client-mock) and a local data folder: it writes the rotating-secret shape the store reads
 * — a new current key, the previous one until the grace ends — so cursors handed out before still
 * open (checked with the store's own cursor functions), upgrading a secret that holds a bare key
 * (as generated). The key is never printed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../bin/admin/backend.js';
import { mainHelp } from '../../../bin/admin/cli.js';
import { CURSOR_KEY_FILE, ensureCursorKeyFile, fileCursorKey } from '../../../bin/local/cursor-key-file.js';
import { cursorKeyRing, type CursorKeySource } from '../../../lambdas/store/cursor-key.js';
import { isStorageError } from '../../../lambdas/store/errors.js';
import { openCursor, sealCursor } from '../../../lambdas/store/paging.js';
import { DEPLOYED, runCli } from '../../support/cli.js';

const sm = mockClient(SecretsManagerClient);
const T0 = new Date('2026-03-01T10:00:00.000Z');
const OLD = 'O'.repeat(64);
const body = { q: 'qh', k: 'sort-key', i: 3 };
let secret: string;

/** A store context reading `source` at time `at`. */
const ctx = (source: CursorKeySource, at: Date) => ({ cursorKeys: cursorKeyRing(source, { now: () => at.getTime() }), now: () => at });
const opens = (source: CursorKeySource, at: Date, cursor: string) =>
  openCursor(ctx(source, at), cursor, 'qh').then(
    () => true,
    (e: unknown) => (isStorageError(e, 'invalidCursor') ? false : Promise.reject(e)),
  );

beforeEach(() => {
  sm.reset();
  secret = OLD; // a bare key, as the stack generates it
  sm.on(GetSecretValueCommand, { SecretId: 'Scim/cursor-key' }).callsFake(() => ({ SecretString: secret }));
  sm.on(PutSecretValueCommand, { SecretId: 'Scim/cursor-key' }).callsFake((input: { SecretString: string }) => {
    secret = input.SecretString;
    return {};
  });
});

describe('cursor-key rotate (deployed)', () => {
  it('upgrades the bare key to current/previous: cursors of the old key open until the grace ends (default 24 h), new ones under the new key; the key is never printed', async () => {
    const before = await sealCursor(ctx(OLD, T0), body);
    const r = await runCli(['cursor-key', 'rotate', ...DEPLOYED], { now: () => T0 });
    expect(r.code).toBe(EXIT.ok);
    const written = JSON.parse(secret) as { current: string; previous: string; previousExpiresAt: string; rotatedAt: string };
    expect(written).toEqual({ current: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/), previous: OLD, previousExpiresAt: '2026-03-02T10:00:00.000Z', rotatedAt: T0.toISOString() });
    expect(r.stdout + r.stderr).not.toContain(written.current);
    expect(r.stdout + r.stderr).not.toContain(OLD);
    expect(r.stderr).toContain('accepted until 2026-03-02T10:00:00.000Z (24h)');

    expect(await opens(secret, T0, before)).toBe(true);
    expect(await opens(secret, new Date('2026-03-02T09:59:59.000Z'), before)).toBe(true);
    expect(await opens(secret, new Date('2026-03-02T10:00:00.000Z'), before)).toBe(false);
    const after = await sealCursor(ctx(secret, T0), body);
    expect(await opens(written.current, T0, after)).toBe(true);
    expect(await opens(OLD, T0, after)).toBe(false);
  });

  it('--grace 0: the old key stops at once, without reading it (a broken secret is replaced); a bad --grace writes nothing', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('should not be read'), { name: 'InternalServiceError' }));
    const before = await sealCursor(ctx(OLD, T0), body);
    const r = await runCli(['cursor-key', 'rotate', '--grace', '0', ...DEPLOYED], { now: () => T0 });
    expect(r.code).toBe(EXIT.ok);
    expect(Object.keys(JSON.parse(secret))).toEqual(['current', 'rotatedAt']);
    expect(await opens(secret, T0, before)).toBe(false);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);

    const bad = await runCli(['cursor-key', 'rotate', '--grace', 'tomorrow', ...DEPLOYED], { now: () => T0 });
    expect(bad.code).toBe(EXIT.usage);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it('a secret the functions cannot use either: exit 1 saying how to replace it, without quoting it', async () => {
    secret = '{"current": "s3cr3t-but-short"';
    const r = await runCli(['cursor-key', 'rotate', ...DEPLOYED], { now: () => T0 });
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toMatch(/cursor key secret is not JSON \(secret Scim\/cursor-key\): write a fresh key with scim-admin cursor-key rotate --grace 0/);
    expect(r.stderr).not.toContain('s3cr3t');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('a key too short for the functions is not kept as previous: exit 1 saying how to replace it, nothing written', async () => {
    secret = '{"current": "s3cr3t-but-short"}';
    const r = await runCli(['cursor-key', 'rotate', ...DEPLOYED], { now: () => T0 });
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toMatch(/must hold keys of at least 32 characters \(secret Scim\/cursor-key\): write a fresh key with scim-admin cursor-key rotate --grace 0/);
    expect(r.stderr).not.toContain('s3cr3t');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('is listed in the main help with --grace', () => {
    expect(mainHelp()).toMatch(/cursor-key rotate +new signing key of the paging cursors/);
  });
});

describe('cursor-key rotate --local', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-cursor-rotate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates the data folder\'s key file (still 0600); the endpoint\'s file loader opens cursors of both keys', async () => {
    const file = ensureCursorKeyFile(dir);
    const load = fileCursorKey(file);
    const before = await sealCursor(ctx(load, T0), body);
    const r = await runCli(['--local', '--dir', dir, 'cursor-key', 'rotate', '--grace', '1h'], { now: () => T0 });
    expect(r.code).toBe(EXIT.ok);
    expect(statSync(join(dir, CURSOR_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ previousExpiresAt: '2026-03-01T11:00:00.000Z' });
    expect(await opens(load, T0, before)).toBe(true);
    expect(await opens(load, new Date('2026-03-01T11:00:00.000Z'), before)).toBe(false);
  });

  it('no key file yet: exit 3 saying to run npm start', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'scim-cursor-rotate-none-'));
    writeFileSync(join(empty, 'unrelated'), '');
    const r = await runCli(['--local', '--dir', empty, 'cursor-key', 'rotate']);
    rmSync(empty, { recursive: true, force: true });
    expect(r.code).toBe(EXIT.notFound);
    expect(r.stderr).toMatch(/no local cursor key .*: run npm start once/);
  });
});
