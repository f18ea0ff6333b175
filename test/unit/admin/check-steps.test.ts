/**
 * `scim-admin check`'s step order (bin/admin/check.ts): which step runs, fails or is skipped when an
 * earlier one could not give what it needs, with a fake endpoint (no network) and fake secrets.
 * The real endpoint is checked end to end by test/e2e/admin-check.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkConnectors, type CheckOptions, type ConnectorCheck } from '../../../bin/admin/check.js';

const TOKEN = 'a'.repeat(43);
const SPC = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'] };
const LIST = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] };
const ERROR = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/scim+json', ...headers } });

/** An endpoint that accepts TOKEN, or answers `spc` to /ServiceProviderConfig when given. */
function endpoint(spc?: () => Response): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
    if (auth !== `Bearer ${TOKEN}`) return json(401, ERROR, { 'www-authenticate': 'Bearer realm="scim"' });
    if (url.pathname.endsWith('/ServiceProviderConfig')) return spc ? spc() : json(200, SPC);
    return json(200, LIST);
  }) as typeof fetch;
}

async function check(opts: { tenantUrl?: string; secret?: string; fetch: typeof fetch }): Promise<ConnectorCheck> {
  const o: CheckOptions = {
    backend: {
      kind: 'deployed',
      description: 'stack Test (eu-west-1)',
      readTokenSecret: async () => ({ text: opts.secret ?? JSON.stringify({ current: TOKEN }) }),
    },
    all: [{ name: 'hr' }],
    now: () => new Date('2026-01-01T00:00:00Z'),
    fetch: opts.fetch,
    retryDelayMs: 0,
    profileOffersGroups: () => true,
  };
  const ref = { name: 'hr', profile: 'generic', ...(opts.tenantUrl !== undefined ? { tenantUrl: opts.tenantUrl } : {}) };
  return (await checkConnectors([ref], o)).connectors[0]!;
}

const outcomes = (c: ConnectorCheck) => c.steps.map((s) => `${s.id}: ${s.outcome}${s.outcome === 'skip' ? ` (${s.detail})` : ''}`);
const URL_ = 'https://scim.example.com/hr/scim/v2';

describe('check steps', () => {
  it('all pass: every step runs, in order', async () => {
    const c = await check({ tenantUrl: URL_, fetch: endpoint() });
    expect(outcomes(c)).toEqual(['secret: pass', 'serviceProviderConfig: pass', 'probes: pass', 'auth: pass', 'groups: pass']);
    expect(c.passed).toBe(true);
  });

  it('no Tenant URL: step 2 fails saying where it was looked for, the rest are not run', async () => {
    const c = await check({ fetch: endpoint() });
    expect(outcomes(c)).toEqual([
      'secret: pass',
      'serviceProviderConfig: fail',
      'probes: skip (not run: no Tenant URL)',
      'auth: skip (not run: no Tenant URL)',
      'groups: skip (not run: no Tenant URL)',
    ]);
    expect(c.steps[1]!.detail).toBe('no Tenant URL for hr in stack Test (eu-west-1) (no TenantUrl output)');
  });

  it('no token: the steps that need it are not run; the no-token step (4) still is', async () => {
    const c = await check({ tenantUrl: URL_, secret: 'not json', fetch: endpoint() });
    expect(outcomes(c)).toEqual([
      'secret: fail',
      'serviceProviderConfig: skip (not run: no token (step 1 failed))',
      'probes: skip (not run: no token (step 1 failed))',
      'auth: pass',
      'groups: skip (not run: no token (step 1 failed))',
    ]);
  });

  it('the token refused at step 2: probes and groups are not run, auth is', async () => {
    const c = await check({ tenantUrl: URL_, fetch: endpoint(() => json(401, ERROR)) });
    expect(outcomes(c)).toEqual([
      'secret: pass',
      'serviceProviderConfig: fail',
      'probes: skip (not run: the token is not accepted (step 2))',
      'auth: pass',
      'groups: skip (not run: the token is not accepted (step 2))',
    ]);
  });

  it('nothing answers: step 2 fails with the reason, the HTTP steps after it are not run', async () => {
    const refused = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } });
    }) as typeof fetch;
    const c = await check({ tenantUrl: URL_, fetch: refused });
    expect(outcomes(c)).toEqual([
      'secret: pass',
      'serviceProviderConfig: fail',
      'probes: skip (not run: the endpoint cannot be reached (step 2))',
      'auth: skip (not run: the endpoint cannot be reached (step 2))',
      'groups: skip (not run: the endpoint cannot be reached (step 2))',
    ]);
    expect(c.steps[1]!.detail).toBe('nothing answers at https://scim.example.com (connection refused)');
  });
});
