/**
 * `npm start`'s cursor key over real HTTP: one key per data folder (`<dir>/cursor-key`, 0600),
 * reused by a restart (an Okta cursor walk survives it), and replacing it makes the cursors handed
 * out before answer 400 invalidCursor — as a new secret value does on AWS — never a 5xx.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURSOR_KEY_FILE, newCursorKey } from '../../bin/local/cursor-key-file.js';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { assertLoopback } from '../support/ddb.js';
import { expectScimError, ScimClient, USER } from './support/local.js';

const dirs: string[] = [];
const tableName = `e2e-ck-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let running: LocalEndpoint | undefined;

async function start(dir: string, o: { inMemory?: boolean } = {}): Promise<ScimClient> {
  await running?.stop();
  running = await startLocalEndpoint({
    connectors: parseConnectors([{ name: 'alpha' }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName,
    logLevel: 'SILENT',
    ...o,
  });
  const c = running.connectors.alpha!;
  return new ScimClient(c.tenantUrl, c.token);
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'scim-e2e-ck-'));
  dirs.push(d);
  return d;
}

let dir: string;
beforeAll(async () => {
  dir = tempDir();
  const c = await start(dir);
  for (let i = 0; i < 3; i++) expect((await c.post('/Users', { schemas: [USER], userName: `walker${i}@example.com` })).status).toBe(201);
});
afterAll(async () => {
  await running?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('npm start: the cursor key of the data folder', () => {
  let userCursor: string;
  let rootCursor: string;

  it('is created at the first start: 64 random characters, mode 0600', async () => {
    const file = join(dir, CURSOR_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const c = await start(dir);
    const page = await c.get('/Users?cursor&count=1');
    expect(page.status).toBe(200);
    userCursor = String(page.body.nextCursor);
    const root = await c.get('/?cursor&count=1');
    expect(root.status).toBe(200);
    rootCursor = String(root.body.nextCursor);
  });

  it('is reused by a restart: a cursor from before the restart continues the walk', async () => {
    const before = readFileSync(join(dir, CURSOR_KEY_FILE), 'utf8');
    const c = await start(dir);
    expect(readFileSync(join(dir, CURSOR_KEY_FILE), 'utf8')).toBe(before);
    const next = await c.get(`/Users?cursor=${encodeURIComponent(userCursor)}&count=1`);
    expect(next.status).toBe(200);
    expect(next.body.Resources).toHaveLength(1);
    expect((await c.get(`/?cursor=${encodeURIComponent(rootCursor)}&count=1`)).status).toBe(200);
  });

  it('replaced (another key file) and restarted: old cursors answer 400 invalidCursor, new walks work', async () => {
    writeFileSync(join(dir, CURSOR_KEY_FILE), `${newCursorKey()}\n`, { mode: 0o600 });
    const c = await start(dir);
    expectScimError(await c.get(`/Users?cursor=${encodeURIComponent(userCursor)}&count=1`), 400, 'invalidCursor');
    expectScimError(await c.get(`/?cursor=${encodeURIComponent(rootCursor)}&count=1`), 400, 'invalidCursor');
    const fresh = await c.get('/Users?cursor&count=1');
    expect(fresh.status).toBe(200);
    expect((await c.get(`/Users?cursor=${encodeURIComponent(String(fresh.body.nextCursor))}&count=1`)).status).toBe(200);
  });

  it('--in-memory: a fresh key that is never written', async () => {
    const scratch = tempDir();
    const c = await start(scratch, { inMemory: true });
    expect(existsSync(join(scratch, CURSOR_KEY_FILE))).toBe(false);
    const page = await c.get('/Users?cursor&count=1');
    expect(page.status).toBe(200);
    expect((await c.get(`/Users?cursor=${encodeURIComponent(String(page.body.nextCursor))}&count=1`)).status).toBe(200);
    // Its key is not the data folder's: the folder's cursors do not open here.
    expectScimError(await c.get(`/Users?cursor=${encodeURIComponent(userCursor)}&count=1`), 400, 'invalidCursor');
  });
});
