/**
 * An IdP-like workload for fault tests: each worker owns its users and one group and runs an
 * Entra-style lifecycle (create users, create group, add members, deactivate, rename, remove a
 * member, delete a user), retrying every request that fails transiently (503/429/502/504, or a
 * network error) as an IdP does. Every answer is recorded, so the test can assert that failures
 * were well-formed SCIM 503/429 with Retry-After and arrived within the client timeout, and that the
 * final state is exactly what the lifecycle says, however many faults hit it on the way.
 */
import { expect } from 'vitest';
import type { ScimClient, Res } from '../../e2e/support/local.js';
import { PATCH_OP, SCIM_ERROR } from '../../e2e/support/local.js';

export interface Answer {
  op: string;
  status: number;
  ms: number;
  retryAfter: string | null;
  contentType: string | null;
  body: unknown;
  text: string;
}

export interface WorkerResult {
  worker: number;
  answers: Answer[];
  users: Record<string, string>; // userName → id (final)
  groupId?: string;
  completed: boolean;
}

const TRANSIENT = new Set([429, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WorkloadOptions {
  readonly clientTimeoutMs: number;
  /** Stop retrying after this moment (epoch ms). */
  readonly until: number;
  readonly retryDelayMs?: number;
  readonly prefix: string;
}

async function timed(client: ScimClient, method: string, path: string, body: unknown, timeoutMs: number): Promise<Res & { ms: number }> {
  const started = performance.now();
  const res = await Promise.race([
    client.req(method, path, body === undefined ? {} : { body }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`client timeout after ${timeoutMs} ms: ${method} ${path}`)), timeoutMs).unref()),
  ]);
  return { ...res, ms: performance.now() - started };
}

export async function runWorker(client: ScimClient, worker: number, o: WorkloadOptions): Promise<WorkerResult> {
  const answers: Answer[] = [];
  const r: WorkerResult = { worker, answers, users: {}, completed: false };
  /** Sends until a non-transient answer; returns it. */
  const send = async (op: string, method: string, path: string, body?: unknown): Promise<Res> => {
    for (let attempt = 0; ; attempt++) {
      let res: (Res & { ms: number }) | undefined;
      try {
        res = await timed(client, method, path, body, o.clientTimeoutMs);
      } catch (e) {
        if (String(e).includes('client timeout')) throw e; // a hang is a failure of the test
        answers.push({ op, status: 0, ms: 0, retryAfter: null, contentType: null, body: undefined, text: String(e) });
      }
      if (res) {
        answers.push({ op, status: res.status, ms: res.ms, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type'), body: res.body, text: res.text });
        if (!TRANSIENT.has(res.status)) return res;
      }
      if (Date.now() > o.until) throw new Error(`worker ${worker}: ${op} still failing at the end of the run`);
      await sleep(o.retryDelayMs ?? 100);
    }
  };
  const name = (i: number) => `${o.prefix}-w${worker}-u${i}@example.com`;
  const findId = async (path: string, filter: string): Promise<string> => {
    const res = await send('find', 'GET', `${path}?filter=${encodeURIComponent(filter)}&excludedAttributes=members`);
    expect(res.status, res.text).toBe(200);
    const id = (res.body as { Resources: { id: string }[] }).Resources[0]?.id;
    if (!id) throw new Error(`not found: ${filter}`);
    return id;
  };

  // 1. users (a retried create that had committed answers 409: look the user up, as Entra does)
  for (let i = 0; i < 3; i++) {
    const res = await send('create user', 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: name(i),
      externalId: `ext-${worker}-${i}`,
      active: true,
      displayName: `Worker ${worker} user ${i}`,
      emails: [{ value: name(i), type: 'work', primary: true }],
      password: 'never-stored-Secret-1!',
    });
    if (res.status === 201) r.users[name(i)] = (res.body as { id: string }).id;
    else if (res.status === 409) r.users[name(i)] = await findId('/Users', `userName eq "${name(i)}"`);
    else throw new Error(`create user: ${res.status} ${res.text}`);
  }
  const ids = [0, 1, 2].map((i) => r.users[name(i)] as string);
  // 2. group
  const gname = `${o.prefix}-group-${worker}`;
  const g = await send('create group', 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: gname });
  if (g.status === 201) r.groupId = (g.body as { id: string }).id;
  else if (g.status === 409) r.groupId = await findId('/Groups', `displayName eq "${gname}"`);
  else throw new Error(`create group: ${g.status} ${g.text}`);
  const gid = r.groupId;
  const expectOk = (res: Res, op: string) => expect([200, 204], `${op}: ${res.text}`).toContain(res.status);
  // 3. members (add is idempotent)
  expectOk(await send('add members', 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] }), 'add members');
  // 4. deactivate u0, rename u1
  expectOk(await send('deactivate', 'PATCH', `/Users/${ids[0]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'False' }] }), 'deactivate');
  expectOk(
    await send('replace', 'PUT', `/Users/${ids[1]}`, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: name(1),
      externalId: `ext-${worker}-1`,
      active: true,
      displayName: `Renamed ${worker}`,
    }),
    'replace',
  );
  // 5. remove u1 from the group (remove is idempotent)
  expectOk(await send('remove member', 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: [{ value: ids[1] }] }] }), 'remove member');
  // 6. delete u2 (a retry of a delete that committed answers 404)
  const del = await send('delete user', 'DELETE', `/Users/${ids[2]}`);
  expect([204, 404], del.text).toContain(del.status);
  delete r.users[name(2)];
  r.completed = true;
  return r;
}

/** What every worker's data must look like at the end (read back over HTTP). */
export async function expectFinalState(client: ScimClient, r: WorkerResult, prefix: string): Promise<void> {
  const name = (i: number) => `${prefix}-w${r.worker}-u${i}@example.com`;
  const u0 = await client.get(`/Users/${r.users[name(0)]}`);
  expect(u0.status).toBe(200);
  expect(u0.body).toMatchObject({ userName: name(0), active: false, displayName: `Worker ${r.worker} user 0` });
  expect(u0.body.password).toBeUndefined();
  const u1 = await client.get(`/Users/${r.users[name(1)]}`);
  expect(u1.body).toMatchObject({ userName: name(1), active: true, displayName: `Renamed ${r.worker}` });
  expect(u1.body.emails).toBeUndefined(); // PUT replaced everything
  const gone = await client.get(`/Users?filter=${encodeURIComponent(`userName eq "${name(2)}"`)}`);
  expect(gone.body.totalResults).toBe(0);
  const g = await client.get(`/Groups/${r.groupId}`);
  expect(g.status).toBe(200);
  expect((g.body.members ?? []).map((m: { value: string }) => m.value)).toEqual([r.users[name(0)]]);
}

/** Every non-2xx answer in `answers` is a well-formed SCIM error; transient ones carry Retry-After. */
export function expectWellFormedFailures(answers: readonly Answer[], clientTimeoutMs: number): { failures: number; byStatus: Record<number, number> } {
  const byStatus: Record<number, number> = {};
  let failures = 0;
  for (const a of answers) {
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    expect(a.ms, `${a.op} took ${a.ms} ms`).toBeLessThan(clientTimeoutMs);
    if (a.status < 300) continue;
    failures++;
    expect(a.status, `${a.op}: ${a.text}`).not.toBe(500);
    expect([0, 404, 409, 429, 503], `${a.op}: ${a.status} ${a.text}`).toContain(a.status);
    if (a.status === 0) continue; // connection-level error (none expected; recorded for the report)
    expect(a.contentType).toBe('application/scim+json');
    expect(a.body).toMatchObject({ schemas: [SCIM_ERROR], status: String(a.status), detail: expect.any(String) });
    if (a.status === 503 || a.status === 429) {
      expect(a.retryAfter, `${a.op}: ${a.text}`).toMatch(/^\d+$/);
      expect(a.text).not.toMatch(/Exception|DynamoDB|dynamodb|Table|ECONN|stack|at \w+ \(/);
    }
  }
  return { failures, byStatus };
}
