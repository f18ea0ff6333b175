/**
 * `scim-admin pause` / `resume` against the local endpoint (the same handlers and table item as on
 * AWS): paused, every /Users, /Groups and root request answers a SCIM 503 with Retry-After within
 * seconds and writes nothing; `connectors` shows it; resumed, requests are served again.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/admin/backend.js';
import type { LocalEndpoint } from '../../bin/local/endpoint.js';
import { runCli } from '../support/cli.js';
import { startAlphaEndpoint } from '../support/local-endpoint.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
let local: { endpoint: LocalEndpoint; stop(): Promise<void> };
let dir: string;

async function req(method: string, path: string, body?: unknown) {
  const c = local.endpoint.connectors.alpha!;
  const res = await fetch(`${c.tenantUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${c.token}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** Polls until `status` answers (the pause reaches a container within its 5 s check cache). */
async function until(status: number, path = '/Users?count=1'): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await req('GET', path)).status === status) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`GET ${path} never answered ${status}`);
}

beforeAll(async () => {
  local = await startAlphaEndpoint('pause');
  dir = dirname(local.endpoint.connectorsFile);
});
afterAll(async () => local?.stop());

describe('pause and resume', () => {
  it('paused: 503 + Retry-After on every data request, nothing written; connectors shows it; resumed: served again', async () => {
    expect((await req('POST', '/Users', { schemas: [USER], userName: 'before@example.com' })).status).toBe(201);
    const paused = await runCli(['--local', '--dir', dir, 'pause', 'alpha']);
    expect(paused.code, paused.stderr).toBe(EXIT.ok);
    expect(paused.stderr).toContain('alpha is paused');
    await until(503);

    for (const [method, path, body] of [
      ['GET', '/Users'],
      ['GET', '/Groups'],
      ['GET', '/?filter=userName%20eq%20%22x%22'],
      ['POST', '/Users', { schemas: [USER], userName: 'while-paused@example.com' }],
      ['POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'while paused' }],
    ] as const) {
      const r = await req(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(503);
      expect(r.retryAfter).toBe('60');
      expect(r.type).toContain('application/scim+json');
      expect(r.body).toMatchObject({ status: '503', detail: expect.stringContaining('paused') });
    }
    expect((await req('GET', '/ServiceProviderConfig')).status).toBe(200); // discovery still answers

    const listed = await runCli(['--local', '--dir', dir, 'connectors', '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'alpha', paused: true }]);
    const table = await runCli(['--local', '--dir', dir, 'connectors']);
    expect(table.stdout).toContain('alpha (paused)');
    expect((await runCli(['--local', '--dir', dir, 'pause', 'alpha'])).stderr).toContain('already paused');
    const check = await runCli(['--local', '--dir', dir, 'check', 'alpha']);
    expect(check.code).toBe(EXIT.error);
    expect(check.stdout).toContain('the connector is paused');

    const resumed = await runCli(['--local', '--dir', dir, 'resume', 'alpha']);
    expect(resumed.code).toBe(EXIT.ok);
    await until(200);
    const users = await req('GET', '/Users');
    expect(users.body).toMatchObject({ totalResults: 1 }); // nothing was written while paused
    expect((await runCli(['--local', '--dir', dir, 'resume', 'nope'])).code).toBe(EXIT.notFound);
  });
});
