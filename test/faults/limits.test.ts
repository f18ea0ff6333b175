/**
 * Limits at their edge over HTTP: a user at the limits is stored (it fits one DynamoDB item), one
 * step over each limit is the advertised SCIM error, and a DynamoDB item-size error (should one
 * ever happen) maps to 400 invalidValue without DynamoDB's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MULTI_VALUES, MAX_RESOURCE_BYTES, MAX_VALUE_LENGTH } from '../../lambdas/scim/limits.js';
import { toScimError } from '../../lambdas/store/errors.js';
import { ScimClient, USER, expectScimError } from '../e2e/support/local.js';
import { startAlphaEndpoint } from '../support/local-endpoint.js';

let stop: (() => Promise<void>) | undefined;
let c: ScimClient;

beforeAll(async () => {
  const started = await startAlphaEndpoint('limits');
  stop = started.stop;
  c = new ScimClient(started.endpoint.connectors.alpha!.tenantUrl, started.endpoint.connectors.alpha!.token);
});

afterAll(async () => {
  await stop?.();
});

const emails = (n: number, len: number) => Array.from({ length: n }, (_, i) => ({ value: `${String(i).padStart(4, '0')}${'e'.repeat(len - 4)}`, type: 'work' }));

describe('limits', () => {
  it('a user with max-length values in a full multi-valued attribute, just under the document cap, is stored and read back', async () => {
    // 100 × 2,500 characters ≈ 255 KB of document: under MAX_RESOURCE_BYTES and DynamoDB's 400 KB.
    const body = { schemas: [USER], userName: 'x'.repeat(MAX_VALUE_LENGTH), displayName: 'd'.repeat(MAX_VALUE_LENGTH), emails: emails(MAX_MULTI_VALUES, 2_350) };
    const res = await c.post('/Users', body);
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    const back = await c.get(`/Users/${res.body.id}`);
    expect(back.body.emails).toHaveLength(MAX_MULTI_VALUES);
  });

  it('one over each limit: value length, cardinality, document size → 400 invalidValue', async () => {
    expectScimError(await c.post('/Users', { userName: 'x'.repeat(MAX_VALUE_LENGTH + 1) }), 400, 'invalidValue');
    expectScimError(await c.post('/Users', { userName: 'card@x', emails: emails(MAX_MULTI_VALUES + 1, 10) }), 400, 'invalidValue');
    const big = await c.post('/Users', { userName: 'big@x', emails: emails(MAX_MULTI_VALUES, 3_000) });
    expectScimError(big, 400, 'invalidValue');
    expect(big.body.detail).toContain(String(MAX_RESOURCE_BYTES));
  });

  it('a DynamoDB item-size error is a 400 invalidValue without its text', () => {
    const e = toScimError(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' }));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidValue');
    expect(e.detail).not.toMatch(/Item size|maximum allowed/);
  });
});
