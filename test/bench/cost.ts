/**
 * Measure 5, cost per operation: DynamoDB calls and consumed RCU/WCU of every SCIM operation kind,
 * counted inside the handler for one real HTTP request each (gateway → authorizer → handler →
 * DynamoDB Local). Shared by `npm run bench` (prints the table) and test/e2e/cost-budgets.test.ts
 * (asserts the budgets, so a regression fails CI). Budgets come from the store issue.
 */
import type { BenchEnv } from './support/env.js';
import { GROUP, USER, type BenchClient, type Reply } from './support/http.js';
import { totalCalls, type CallCount } from './support/probe.js';
import { seedGroup, seedUsers } from './support/seed.js';

export interface CostRow {
  op: string;
  status: number;
  calls: number;
  rcu: number;
  wcu: number;
  /** Calls by DynamoDB API, e.g. `GetItem×1 Query×1`. */
  byApi: string;
  budget: number;
  why: string;
}

const ceil25 = (k: number) => Math.ceil(k / 25) + 2;

export async function measureCosts(env: BenchEnv, connector = 'cost'): Promise<{ rows: CostRow[]; authorizerCalls: number; sameForGroupSize: boolean }> {
  const c: BenchClient = env.client(connector, 2);
  const rows: CostRow[] = [];
  env.probe.capacity = true;
  env.probe.take();
  const outsideBefore = Object.values(env.probe.outside).reduce((n, x) => n + x.calls, 0);

  const one = async (op: string, budget: number, why: string, send: (kind: string) => Promise<Reply>): Promise<Reply> => {
    const rep = await send(`cost:${op}`);
    const recs = env.probe.take().filter((r) => r.kind === `cost:${op}`);
    const byOp: Record<string, CallCount> = {};
    for (const r of recs) for (const [k, v] of Object.entries(r.byOp)) {
      const t = (byOp[k] ??= { calls: 0, rcu: 0, wcu: 0 });
      t.calls += v.calls;
      t.rcu += v.rcu;
      t.wcu += v.wcu;
    }
    const t = totalCalls({ byOp });
    rows.push({
      op,
      status: rep.status,
      calls: t.calls,
      rcu: Math.round(t.rcu * 10) / 10,
      wcu: Math.round(t.wcu * 10) / 10,
      byApi: Object.entries(byOp).map(([k, v]) => `${k}×${v.calls}`).join(' '),
      budget,
      why,
    });
    return rep;
  };
  const expectStatus = (rep: Reply, status: number, what: string) => {
    if (rep.status !== status) throw new Error(`cost: ${what} answered ${rep.status}: ${JSON.stringify(rep.body)}`);
    return rep;
  };

  // Members for the group operations, and a 1000-member group (seeded with the store's item codecs).
  const seeded = await seedUsers({ doc: env.doc, table: env.tableName }, connector, 1400, 'cost');
  const big = await seedGroup({ doc: env.doc, table: env.tableName }, connector, 'cost-big', seeded.slice(0, 1000));

  const user = {
    schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    userName: 'cost.user@contoso.example.com',
    externalId: 'cost-x1',
    active: true,
    displayName: 'Cost User',
    name: { givenName: 'Cost', familyName: 'User' },
    emails: [{ value: 'cost.user@contoso.example.com', type: 'work', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '1' },
  };
  const created = expectStatus(await one('POST /Users', 1, 'create = 1 transaction (item + userName guard + counter)', (k) => c.req(k, 'POST', '/Users', user)), 201, 'POST /Users');
  const id = String(created.body.id);
  await one('GET /Users/{id}?excludedAttributes=groups', 1, 'get by id: 1 GetItem', (k) => c.req(k, 'GET', `/Users/${id}?excludedAttributes=groups`));
  await one('GET /Users/{id} (groups returned)', 2, 'get by id + derived groups (1 GSI Query; BatchGet only when in groups)', (k) => c.req(k, 'GET', `/Users/${id}`));
  await one('GET /Users?filter=userName eq', 2, 'filter userName eq ≤ 2 (guard + item)', (k) => c.req(k, 'GET', `/Users?filter=${encodeURIComponent('userName eq "Cost.User@contoso.example.com"')}&excludedAttributes=groups`));
  await one('GET /Users?filter=userName eq (groups returned)', 3, 'filter eq ≤ 2, + derived groups of the hit', (k) => c.req(k, 'GET', `/Users?filter=${encodeURIComponent('userName eq "cost.user@contoso.example.com"')}`));
  await one('GET /Users?filter=userName eq (no match)', 1, 'filter eq, no user: the guard read only', (k) => c.req(k, 'GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@contoso.example.com"')}`));
  await one('GET /Users?filter=externalId eq', 2, 'filter externalId eq ≤ 2 (GSI Query + BatchGet)', (k) => c.req(k, 'GET', `/Users?filter=${encodeURIComponent('externalId eq "cost-x1"')}&excludedAttributes=groups`));
  await one('PUT /Users/{id}', 2, 'replace, same userName: read + conditional update', (k) => c.req(k, 'PUT', `/Users/${id}?excludedAttributes=groups`, { ...user, displayName: 'Cost User 2' }));
  await one('PATCH /Users/{id} (non-unique attributes)', 2, 'patch of non-unique attributes ≤ 2', (k) =>
    c.patchOps(k, `/Users/${id}`, [{ op: 'replace', value: { active: false, title: 'Engineer' } }]),
  );
  await one('PATCH /Users/{id} (rename userName)', 2, 'read + 1 transaction moving the guard', (k) =>
    c.patchOps(k, `/Users/${id}`, [{ op: 'replace', path: 'userName', value: 'cost.renamed@contoso.example.com' }]),
  );

  const g = expectStatus(await one('POST /Groups', 1, 'create = 1 transaction (item + name guard + counter)', (k) => c.req(k, 'POST', '/Groups', { schemas: [GROUP], displayName: 'cost-g', externalId: 'cost-gx' })), 201, 'POST /Groups');
  const gid = String(g.body.id);
  await one('GET /Groups/{id}?excludedAttributes=members', 1, 'get by id: 1 GetItem', (k) => c.req(k, 'GET', `/Groups/${gid}?excludedAttributes=members`));
  await one('GET /Groups?filter=displayName eq&excludedAttributes=members', 2, 'filter eq ≤ 2 (guard + item)', (k) =>
    c.req(k, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "cost-g"')}&excludedAttributes=members`),
  );
  let from = 0;
  const add = (k: number) => {
    const ids = seeded.slice(1000 + from, 1000 + from + k);
    from += k;
    return (kind: string) => c.patchOps(kind, `/Groups/${gid}`, [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]);
  };
  for (const k of [1, 25, 100, 256]) await one(`PATCH /Groups/{id} add ${k} member${k > 1 ? 's' : ''}`, ceil25(k), `add k members ≤ ceil(k/25)+2 = ${ceil25(k)}`, add(k));
  const smallAdd1 = rows.find((r) => r.op === 'PATCH /Groups/{id} add 1 member');
  await one('PATCH /Groups/{id} add 1 member (group of 1000)', ceil25(1), 'independent of group size', (k) =>
    c.patchOps(k, `/Groups/${big}`, [{ op: 'add', path: 'members', value: [{ value: seeded[1399] }] }]),
  );
  const bigAdd1 = rows.at(-1);
  // The id decides what a member is: a wrong `type` costs one failed transaction and one keys-only BatchGet more.
  await one('PATCH /Groups/{id} add 1 member sent with the wrong type', 4, 'read + transaction (fails: no such group) + BatchGet (it is a user) + transaction', (k) =>
    c.patchOps(k, `/Groups/${gid}`, [{ op: 'add', path: 'members', value: [{ value: seeded[1390], type: 'Group' }] }]),
  );
  await one('PATCH /Groups/{id} add 1 unknown member (ignored)', 3, 'read + transaction (fails: no such member) + BatchGet; nothing written', (k) =>
    c.patchOps(k, `/Groups/${gid}`, [{ op: 'add', path: 'members', value: [{ value: 'no-such-member' }] }]),
  );
  await one('PATCH /Groups/{id} remove 1 member', 2, 'conditional Delete of the member item (+ group update) in 1 transaction', (k) =>
    c.patchOps(k, `/Groups/${gid}`, [{ op: 'remove', path: `members[value eq "${seeded[1000]}"]` }]),
  );
  await one('GET /Users?startIndex=1&count=100', 3, 'list page ≤ 2 (+ 1 bookmark Put for the next page)', (k) => c.req(k, 'GET', '/Users?startIndex=1&count=100&excludedAttributes=groups'));
  await one('GET /Users?startIndex=101&count=100', 4, 'list page ≤ 2 (+ bookmark Get and Put)', (k) => c.req(k, 'GET', '/Users?startIndex=101&count=100&excludedAttributes=groups'));
  const cur = await one('GET /Users?cursor&count=100 (page 1)', 2, 'list page ≤ 2 (counts + page Query)', (k) => c.req(k, 'GET', '/Users?cursor&count=100&excludedAttributes=groups'));
  const next = String(cur.body?.nextCursor ?? '');
  await one('GET /Users?cursor=…&count=100 (page 2)', 2, 'list page ≤ 2', (k) => c.req(k, 'GET', `/Users?cursor=${encodeURIComponent(next)}&count=100&excludedAttributes=groups`));
  await one('GET /Groups?startIndex=1&count=100&excludedAttributes=members', 3, 'list page ≤ 2 (+ bookmark)', (k) => c.req(k, 'GET', '/Groups?startIndex=1&count=100&excludedAttributes=members'));
  // Queries at the server root (RFC 7644 §3.4.2.1, §3.4.3): Users then Groups; 1401 users, 2 groups here.
  await one('GET /?startIndex=1&count=100 (root, users part)', 4, 'counters + the /Users page (counters, Query, bookmark Put)', (k) => c.req(k, 'GET', '/?startIndex=1&count=100'));
  // An import walking the root reaches the boundary with the bookmark its previous page left.
  expectStatus(await c.req('cost:root-walk', 'GET', '/?startIndex=1252&count=100&excludedAttributes=members'), 200, 'GET / (previous page)');
  await one('GET /?startIndex=1352&count=100&excludedAttributes=members (root, across)', 6, 'counters + /Users page (counters, bookmark Get, Query) + /Groups page (counters, Query)', (k) =>
    c.req(k, 'GET', '/?startIndex=1352&count=100&excludedAttributes=members'),
  );
  await one('GET /?filter=userName eq (root)', 2, 'guard + item; groups have no userName: not read', (k) => c.req(k, 'GET', `/?filter=${encodeURIComponent('userName eq "cost.renamed@contoso.example.com"')}`));
  await one('DELETE /Users/{id} (in no group)', 4, 'read + 1 transaction (item, guard, counter) + member-of Query + purge-task Delete', (k) => c.req(k, 'DELETE', `/Users/${id}`));
  await one('DELETE /Users/{id} (in 1 group)', 5, 'read + member-of Query + transaction + edge removal', (k) => c.req(k, 'DELETE', `/Users/${seeded[1001]}`));
  const left = 1 + 25 + 100 + 256 + 1 - 1;
  await one(`DELETE /Groups/{id} (${left} members)`, 5 + Math.ceil(left / 25), `read + transaction + inline purge (member Query pages, ceil(${left}/25) BatchWrite, task Delete)`, (k) =>
    c.req(k, 'DELETE', `/Groups/${gid}`),
  );
  c.close();
  const authorizerCalls = Object.values(env.probe.outside).reduce((n, x) => n + x.calls, 0) - outsideBefore;
  return { rows, authorizerCalls, sameForGroupSize: smallAdd1 !== undefined && bigAdd1 !== undefined && smallAdd1.calls === bigAdd1.calls };
}
