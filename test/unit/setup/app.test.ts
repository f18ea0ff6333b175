/** The setup handler's edges that the browser tests cannot provoke (links and tokens faked). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { schemaRegistry } from '../../../lambdas/connectors/profiles.js';
import { setupHandler } from '../../../lambdas/setup/app.js';
import type { SetupLinks } from '../../../lambdas/store/setup-links.js';

const LINK = 'A'.repeat(22);
const SECRET = 'b'.repeat(43);
const event = (body: unknown, method = 'POST'): APIGatewayProxyEvent =>
  ({ httpMethod: method, pathParameters: { connector: 'app', link: LINK }, stageVariables: null, headers: {}, requestContext: { identity: { sourceIp: '198.51.100.7' } }, body: JSON.stringify(body), isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;

const OPEN_LINK = { connector: 'app', linkId: LINK, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2099-01-01T00:00:00Z', tenantUrl: 'https://scim.example.com/app/scim/v2' };

function handler(over: { tokens?: () => Promise<{ current: string }>; reveal?: SetupLinks['reveal']; find?: SetupLinks['find']; status?: () => Promise<never> } = {}) {
  const links = {
    reveal: vi.fn(over.reveal ?? (async () => ({ link: { connector: 'app', linkId: LINK, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2099-01-01T00:00:00Z', revealedAt: '2026-01-01T00:01:00Z' }, spent: true }))),
    find: vi.fn(over.find ?? (async () => undefined)),
  };
  const metrics: string[] = [];
  const h = setupHandler({
    connectors: parseConnectors([{ name: 'app' }]),
    profiles: schemaRegistry(),
    links: links as unknown as SetupLinks,
    tokens: { get: over.tokens ?? (async () => ({ current: 'tok-123' })) },
    status: { status: over.status ?? (async () => ({ phase: 'waiting', requests: 0, failed: 0, failures: [] })) },
    logger: new Logger({ logLevel: 'SILENT' }),
    writeMetric: (l) => void metrics.push(l),
  });
  return { h, links, metrics };
}

describe('setupHandler', () => {
  it('a token that cannot be read leaves the link unspent (500, nothing revealed)', async () => {
    const { h, links } = handler({ tokens: async () => Promise.reject(new Error('AccessDenied')) });
    const r = await h(event({ action: 'reveal', secret: SECRET }));
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toContain('AccessDenied');
    expect(links.reveal).not.toHaveBeenCalled();
  });

  it('a reveal that spends the link answers the token once and counts it (EMF, connector dimension)', async () => {
    const { h, metrics } = handler();
    const r = await h(event({ action: 'reveal', secret: SECRET }));
    expect(JSON.parse(r.body)).toMatchObject({ state: 'revealed', token: 'tok-123' });
    expect(r.headers).toMatchObject({ 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    expect(JSON.parse(metrics[0]!)).toMatchObject({ connector: 'app', SetupTokenReveals: 1, _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'connector']] }] } });
  });

  it('bad bodies are 400, unknown connectors and malformed ids 404, other methods 405', async () => {
    const { h } = handler();
    expect((await h({ ...event(null), body: '{' })).statusCode).toBe(400);
    expect((await h({ ...event(null), body: 'x'.repeat(2000) })).statusCode).toBe(400);
    expect((await h({ ...event({ action: 'view', secret: SECRET }), pathParameters: { connector: 'nope', link: LINK } })).statusCode).toBe(404);
    expect((await h({ ...event({ action: 'view', secret: SECRET }), pathParameters: { connector: 'app', link: 'short' } })).statusCode).toBe(404);
    const del = await h(event(null, 'DELETE'));
    expect(del.statusCode).toBe(405);
    expect(del.headers).toMatchObject({ Allow: 'GET, POST' });
  });

  it('a status that cannot be read (CloudWatch Logs throttled) leaves the rest of the page: link, Tenant URL, guide', async () => {
    const { h } = handler({ find: (async () => OPEN_LINK) as unknown as SetupLinks['find'], status: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })) });
    const view = await h(event({ action: 'view', secret: SECRET }));
    expect(view.statusCode).toBe(200);
    const body = JSON.parse(view.body);
    expect(body).toMatchObject({ state: 'open', tenantUrl: OPEN_LINK.tenantUrl, guide: { profile: 'generic' } });
    expect(body.status).toBeUndefined();
    const status = await h(event({ action: 'status', secret: SECRET }));
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body).status).toBeUndefined();
  });
});
