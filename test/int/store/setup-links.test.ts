/** Setup links against DynamoDB Local: hash only, one reveal, expiry enforced here (not by TTL), revocation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { hashSecret, linkState, SetupLinks } from '../../../lambdas/store/setup-links.js';
import { keys } from '../../../lambdas/store/keys.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

let t: TestTable;
let clock = new Date('2026-01-01T00:00:00Z');
let links: SetupLinks;

beforeAll(async () => {
  t = await createTestTable('setup-links');
  links = new SetupLinks(t.doc, t.tableName, () => clock);
});
afterAll(async () => t?.drop());

describe('SetupLinks', () => {
  it('stores the hash of the secret under the connector\'s key, with a TTL past expiry', async () => {
    const link = await links.create('alpha', 3600);
    expect(link.linkId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(link.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const item = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: keys.setupLink('alpha', link.linkId) }))).Item!;
    expect(item.PK).toBe('C#alpha#SETUP');
    expect(item.secretHash).toBe(hashSecret(link.secret));
    expect(JSON.stringify(item)).not.toContain(link.secret);
    expect(item.ttl).toBeGreaterThan(Date.parse(link.expiresAt) / 1000);
  });

  it('finds a link only with its secret and on its connector', async () => {
    const link = await links.create('alpha', 3600);
    expect(await links.find('alpha', link.linkId, link.secret)).toMatchObject({ linkId: link.linkId });
    expect(await links.find('beta', link.linkId, link.secret)).toBeUndefined();
    const other = await links.create('alpha', 3600);
    expect(await links.find('alpha', link.linkId, other.secret)).toBeUndefined();
  });

  it('reveals once, whoever races', async () => {
    const link = await links.create('alpha', 3600);
    const results = await Promise.all([1, 2, 3, 4].map(() => links.reveal('alpha', link.linkId, link.secret)));
    expect(results.filter((r) => r?.spent)).toHaveLength(1);
    expect(results.every((r) => r && linkState(r.link, clock) === 'revealed')).toBe(true);
  });

  it('refuses to reveal once expired, though the item is still there (TTL is housekeeping only)', async () => {
    const link = await links.create('alpha', 60);
    clock = new Date(clock.getTime() + 60_000);
    const r = await links.reveal('alpha', link.linkId, link.secret);
    expect(r?.spent).toBe(false);
    expect(linkState(r!.link, clock)).toBe('expired');
  });

  it('revokes the open links of a connector, not spent ones nor other connectors\'', async () => {
    const a = await links.create('gamma', 3600);
    const spent = await links.create('gamma', 3600);
    await links.reveal('gamma', spent.linkId, spent.secret);
    const other = await links.create('delta', 3600);
    expect(await links.revokeAll('gamma')).toBe(1);
    expect(linkState((await links.find('gamma', a.linkId, a.secret))!, clock)).toBe('revoked');
    expect((await links.reveal('gamma', a.linkId, a.secret))?.spent).toBe(false);
    expect(linkState((await links.find('gamma', spent.linkId, spent.secret))!, clock)).toBe('revealed');
    expect(await links.open('delta')).toHaveLength(1);
    expect(other.linkId).toBeTruthy();
  });
});
