/**
 * Crashes between the chunks of large membership changes (a PATCH adding 300 members, an Okta PUT
 * replacing them: 48 members per transaction) and of the clean-up after a delete (a 300-member
 * group's member items, a user's edges into groups): storage fails for good after a few chunks, the
 * request answers 503, the invariants hold in between (every chunk is atomic and carries its count),
 * and rerunning the same request completes it with nothing duplicated or lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoint } from '../../bin/local/endpoint.js';
import { documentClient } from '../../lambdas/http/app.js';
import { ScimStore } from '../../lambdas/store/store.js';
import { ScimClient, USER, GROUP } from '../e2e/support/local.js';
import { startAlphaEndpoint } from '../support/local-endpoint.js';
import { attachFaults, faultControl, setFault } from './support/faults.js';
import { checkInvariants } from './support/invariants.js';

let stop: (() => Promise<void>) | undefined;
let endpoint: LocalEndpoint;
let store: ScimStore;
let c: ScimClient;
const faults = faultControl();
const N = 300;
let users: string[] = [];

beforeAll(async () => {
  ({ endpoint, stop } = await startAlphaEndpoint('chunks', { documentClient: (doc) => attachFaults(doc, faults) }));
  store = new ScimStore({ doc: documentClient(endpoint.dynamodbEndpoint), tableName: endpoint.tableName });
  const a = endpoint.connectors.alpha!;
  c = new ScimClient(a.tenantUrl, a.token);
  // Seed through the store (the HTTP path is not under test here), 10 at a time.
  for (let i = 0; i < N; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, N - i) }, (_, j) => store.repo.createUser('alpha', { schemas: [USER], userName: `chunk-${i + j}@example.com` })));
    users.push(...batch.map((u) => u.id));
  }
}, 180_000);

afterAll(async () => {
  await stop?.();
  store?.ctx.doc.destroy();
});

async function invariants(allowPendingPurges = false): Promise<string[]> {
  return (await checkInvariants(store.ctx.doc, endpoint.tableName, 'alpha', { allowPendingPurges })).violations;
}

async function memberIds(gid: string): Promise<string[]> {
  return (await store.repo.memberIds('alpha', gid)).sort();
}

describe('crash between chunks', () => {
  it('PATCH add 300 members: fails after 3 chunks, rerun completes exactly', async () => {
    const g = await c.post('/Groups', { schemas: [GROUP], displayName: 'chunk-patch' });
    const ops = [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }];
    setFault(faults, 'unavailable', { only: ['TransactWrite'], after: 3 });
    const failed = await c.patch(`/Groups/${g.body.id}`, ops);
    setFault(faults, 'none');
    expect(failed.status, failed.text).toBe(503);
    expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
    const partial = await memberIds(g.body.id);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(N);
    expect(await invariants()).toEqual([]); // the count matches what was written
    const rerun = await c.patch(`/Groups/${g.body.id}`, ops);
    expect(rerun.status, rerun.text).toBe(204);
    expect(await memberIds(g.body.id)).toEqual([...users].sort());
    expect((await store.repo.get('alpha', 'Group', g.body.id))?.memberCount).toBe(N);
    expect(await invariants()).toEqual([]);
  });

  it('Okta PUT replacing 300 members with 150 others: fails mid-way, rerun converges', async () => {
    const g = await c.post('/Groups', { schemas: [GROUP], displayName: 'chunk-put', members: users.slice(0, 150).map((value) => ({ value })) });
    expect(g.status, g.text).toBe(201);
    const body = { schemas: [GROUP], id: g.body.id, displayName: 'chunk-put', members: users.slice(150).map((value) => ({ value })) };
    setFault(faults, 'throttle', { only: ['TransactWrite'], after: 2 });
    const failed = await c.put(`/Groups/${g.body.id}`, body);
    setFault(faults, 'none');
    expect(failed.status, failed.text).toBe(503);
    expect(await invariants()).toEqual([]);
    const rerun = await c.put(`/Groups/${g.body.id}`, body);
    expect(rerun.status, rerun.text).toBe(200);
    expect(await memberIds(g.body.id)).toEqual(users.slice(150).sort());
    expect(await invariants()).toEqual([]);
  });

  it('DELETE of a 300-member group: purge fails after 4 batches, the retried DELETE (404) finishes it', async () => {
    const g = await c.post('/Groups', { schemas: [GROUP], displayName: 'chunk-delete' });
    expect((await c.patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }])).status).toBe(204);
    setFault(faults, 'unavailable', { only: ['BatchWrite'], after: 4 });
    const failed = await c.delete(`/Groups/${g.body.id}`);
    setFault(faults, 'none');
    expect(failed.status, failed.text).toBe(503);
    expect(await invariants(true)).toEqual([]); // leftovers are covered by the pending purge task
    expect(await invariants()).toContainEqual(expect.stringContaining('pending purge'));
    const retried = await c.delete(`/Groups/${g.body.id}`);
    expect(retried.status).toBe(404);
    expect(await memberIds(g.body.id)).toEqual([]);
    expect(await invariants()).toEqual([]);
  });

  it('DELETE of a user in 3 groups: edge removal fails, the retried DELETE finishes it and counts stay right', async () => {
    const uid = users[0]!;
    const gids: string[] = [];
    for (const name of ['edge-a', 'edge-b', 'edge-c']) {
      const g = await c.post('/Groups', { schemas: [GROUP], displayName: name, members: [{ value: uid }, { value: users[1] }] });
      gids.push(g.body.id);
    }
    setFault(faults, 'unavailable', { only: ['TransactWrite'], after: 1 }); // the delete commits, the edge removal fails
    const failed = await c.delete(`/Users/${uid}`);
    setFault(faults, 'none');
    expect(failed.status, failed.text).toBe(503);
    expect(await invariants(true)).toEqual([]);
    expect((await c.delete(`/Users/${uid}`)).status).toBe(404);
    for (const gid of gids) {
      expect(await memberIds(gid)).toEqual([users[1]]);
      expect((await store.repo.get('alpha', 'Group', gid))?.memberCount).toBe(1);
    }
    expect(await invariants()).toEqual([]);
  });
});
