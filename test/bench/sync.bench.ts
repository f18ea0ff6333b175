/**
 * Measure 2, Entra-like initial sync over HTTP, in Entra's request pattern:
 *   users:   GET /Users?filter=userName eq "…" (no match) → POST /Users, per user;
 *   groups:  GET /Groups?excludedAttributes=members&filter=displayName eq "…" → POST /Groups, per group;
 *   members: one PATCH per membership (`add` members with one value), one group of N/2, the rest ~90;
 *   re-sync: GET /Users?filter=userName eq "…" (hit) → PATCH /Users/{id}, per user.
 * Run at each concurrency on its own connector (fresh data each time). Throughput is compared with
 * the ceiling for the same mix of DynamoDB calls (see `shareOfCeiling`). The handler's own time
 * (handler wall time minus the time its DynamoDB calls were in flight) is taken from a short run at
 * concurrency 1 (one request per Lambda container, as on AWS); under load it also contains queueing.
 */
import { ceilingRate, type CeilingFigure, type CeilingOp } from './ceiling.bench.js';
import type { BenchEnv } from './support/env.js';
import { GROUP, Recorder, USER, pool, type BenchClient, type Reply } from './support/http.js';
import type { RequestRecord } from './support/probe.js';
import { summarize } from './support/stats.js';
import { seeded } from '../support/random.js';

export interface SyncShape {
  users: number;
  groups: number;
  memberships: number;
  bigGroup: number;
}

export function syncShape(users: number): SyncShape {
  const groups = Math.min(500, Math.max(10, Math.round(users / 20)));
  return { users, groups, memberships: users * 5, bigGroup: Math.floor(users / 2) };
}

export interface KindFigure {
  phase: string;
  kind: string;
  n: number;
  errors: number;
  p50: number;
  p99: number;
  /** Handler's own time (handler − DynamoDB in flight), mean and p50, ms. */
  ownMean: number;
  ownP50: number;
  /** DynamoDB calls per request of this kind, by API. */
  calls: string;
}

export interface PhaseFigure {
  concurrency: number;
  phase: string;
  requests: number;
  errors: number;
  seconds: number;
  reqPerSecond: number;
  /** Request rate DynamoDB Local alone sustains for this phase's call mix at this concurrency. */
  ceilingReqPerSecond: number;
  share: number;
  truncated: boolean;
}

export interface SyncResult {
  shape: SyncShape;
  phases: PhaseFigure[];
  kinds: KindFigure[];
  /** Concurrency-1 run: handler own time per kind. */
  solo: KindFigure[];
  errorSamples: string[];
}

/** Which ceiling cell stands for each DynamoDB API in the mix model. */
const CEILING_FOR: Record<string, CeilingOp> = {
  GetItem: 'GetItem',
  BatchGetItem: 'GetItem',
  PutItem: 'PutItem',
  DeleteItem: 'PutItem',
  UpdateItem: 'UpdateItem',
  TransactWriteItems: 'TransactWrite3',
  BatchWriteItem: 'BatchWrite25',
  Query: 'Query1',
};

/**
 * Share of the ceiling: the phase's DynamoDB calls per HTTP request, by API, each costing
 * 1 / (ceiling ops/s of that API at the same concurrency) → the request rate DynamoDB Local alone
 * would allow for this mix; our measured req/s divided by it.
 */
export function mixCeiling(records: readonly RequestRecord[], requests: number, ceiling: readonly CeilingFigure[], c: number): number {
  const perApi: Record<string, number> = {};
  for (const r of records) for (const [api, v] of Object.entries(r.byOp)) perApi[api] = (perApi[api] ?? 0) + v.calls;
  let secondsPerRequest = 0;
  for (const [api, calls] of Object.entries(perApi)) secondsPerRequest += calls / requests / ceilingRate(ceiling, CEILING_FOR[api] ?? 'GetItem', c);
  return secondsPerRequest > 0 ? 1 / secondsPerRequest : Number.POSITIVE_INFINITY;
}

function kindFigures(phase: string, rec: Recorder, records: readonly RequestRecord[]): KindFigure[] {
  const out: KindFigure[] = [];
  for (const [kind, k] of rec.byKind) {
    const mine = records.filter((r) => r.kind === kind);
    const own = summarize(mine.map((r) => r.handlerMs - r.ddbMs));
    const lat = summarize(k.ms);
    const perApi: Record<string, number> = {};
    for (const r of mine) for (const [api, v] of Object.entries(r.byOp)) perApi[api] = (perApi[api] ?? 0) + v.calls;
    out.push({
      phase,
      kind,
      n: k.ms.length,
      errors: k.errors,
      p50: lat.p50,
      p99: lat.p99,
      ownMean: own.mean,
      ownP50: own.p50,
      calls: Object.entries(perApi).map(([a, n]) => `${a}×${(n / Math.max(1, mine.length)).toFixed(2).replace(/\.?0+$/, '')}`).join(' '),
    });
  }
  return out;
}

const enc = encodeURIComponent;

function entraUser(i: number, prefix: string) {
  const upn = `${prefix}.user${i}@contoso.example.com`;
  return {
    schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: `${prefix}-mail-${i}`,
    userName: upn,
    active: true,
    displayName: `User ${i}`,
    name: { formatted: `User ${i}`, familyName: `${i}`, givenName: 'User' },
    emails: [{ primary: true, type: 'work', value: upn }],
    title: 'Engineer',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: String(i), department: 'R&D' },
  };
}

/** Membership pairs [group, user]: group 0 has `bigGroup` members, the others share the rest. */
function memberships(shape: SyncShape): [number, number][] {
  const pairs: [number, number][] = [];
  for (let u = 0; u < shape.bigGroup; u++) pairs.push([0, u]);
  const rest = shape.memberships - shape.bigGroup;
  const others = shape.groups - 1;
  for (let g = 1; g <= others; g++) {
    const size = Math.min(shape.users, Math.floor((rest * g) / others) - Math.floor((rest * (g - 1)) / others));
    const start = (g * 7919) % shape.users;
    for (let k = 0; k < size; k++) pairs.push([g, (start + k) % shape.users]);
  }
  const rand = seeded(42); // mulberry32: deterministic shuffles
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j] as [number, number], pairs[i] as [number, number]];
  }
  return pairs;
}

/** One Entra-like sync of `shape` on `client` (also used by the CPU measure to record each request kind). */
export async function entraSync(
  env: BenchEnv,
  client: BenchClient,
  shape: SyncShape,
  c: number,
  prefix: string,
  onPhase: (phase: string, rec: Recorder, ms: number, truncated: boolean) => void,
  errorSamples: string[],
): Promise<void> {
  const userIds: string[] = new Array<string>(shape.users);
  const groupIds: string[] = new Array<string>(shape.groups);
  const call = async (rec: Recorder, kind: string, ok: number[], p: Promise<Reply>): Promise<Reply | undefined> => {
    try {
      const rep = rec.add(kind, await p, (s) => ok.includes(s));
      if (!ok.includes(rep.status) && errorSamples.length < 5) errorSamples.push(`${kind}: ${rep.status} ${JSON.stringify(rep.body).slice(0, 200)}`);
      return rep;
    } catch (e) {
      rec.fail(kind);
      if (errorSamples.length < 5) errorSamples.push(`${kind}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const phase = async (name: string, count: number, job: (rec: Recorder, i: number) => Promise<void>) => {
    const rec = new Recorder();
    env.probe.take();
    const r = await pool(count, c, (i) => job(rec, i));
    onPhase(name, rec, r.ms, r.truncated);
  };

  await phase('users (filter → POST)', shape.users, async (rec, i) => {
    const u = entraUser(i, prefix);
    await call(rec, 'GET /Users?filter=userName eq (miss)', [200], client.req('GET /Users?filter=userName eq (miss)', 'GET', `/Users?filter=${enc(`userName eq "${u.userName}"`)}`));
    const rep = await call(rec, 'POST /Users', [201], client.req('POST /Users', 'POST', '/Users', u));
    if (rep?.status === 201) userIds[i] = String(rep.body.id);
  });
  await phase('groups (filter → POST)', shape.groups, async (rec, j) => {
    const name = `${prefix} group ${j}`;
    await call(rec, 'GET /Groups?excludedAttributes=members&filter=displayName eq (miss)', [200], client.req('GET /Groups?excludedAttributes=members&filter=displayName eq (miss)', 'GET', `/Groups?excludedAttributes=members&filter=${enc(`displayName eq "${name}"`)}`));
    const rep = await call(rec, 'POST /Groups', [201], client.req('POST /Groups', 'POST', '/Groups', { schemas: [GROUP], externalId: `${prefix}-g-${j}`, displayName: name, members: [] }));
    if (rep?.status === 201) groupIds[j] = String(rep.body.id);
  });
  const pairs = memberships(shape);
  await phase('members (PATCH add 1 member)', pairs.length, async (rec, i) => {
    const [g, u] = pairs[i] as [number, number];
    const gid = groupIds[g];
    const uid = userIds[u];
    if (!gid || !uid) return void rec.fail('PATCH /Groups add 1 member');
    await call(rec, 'PATCH /Groups add 1 member', [200, 204], client.patchOps('PATCH /Groups add 1 member', `/Groups/${gid}`, [{ op: 'Add', path: 'members', value: [{ value: uid }] }]));
  });
  await phase('re-sync (filter hit → PATCH)', shape.users, async (rec, i) => {
    const u = entraUser(i, prefix);
    const found = await call(rec, 'GET /Users?filter=userName eq (hit)', [200], client.req('GET /Users?filter=userName eq (hit)', 'GET', `/Users?filter=${enc(`userName eq "${u.userName}"`)}`));
    const id = found?.body?.Resources?.[0]?.id as string | undefined;
    if (!id) return void rec.fail('PATCH /Users');
    await call(rec, 'PATCH /Users', [200, 204], client.patchOps('PATCH /Users', `/Users/${id}`, [
      { op: 'Replace', path: 'title', value: 'Senior Engineer' },
      { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Research' },
    ]));
  });
}

export async function runSync(env: BenchEnv, ceiling: readonly CeilingFigure[], shape: SyncShape, concurrencies: readonly number[], soloUsers: number): Promise<SyncResult> {
  const result: SyncResult = { shape, phases: [], kinds: [], solo: [], errorSamples: [] };
  env.probe.capacity = false;
  for (const c of concurrencies) {
    const client = env.client(`sync${c}`, c);
    let all: RequestRecord[] = [];
    let allReq = 0;
    let allMs = 0;
    let allErr = 0;
    await entraSync(env, client, shape, c, `c${c}`, (phase, rec, ms, truncated) => {
      const records = env.probe.take();
      all = all.concat(records);
      allReq += rec.total;
      allMs += ms;
      allErr += rec.errors;
      const rps = (rec.total / ms) * 1000;
      const ceil = mixCeiling(records, rec.total, ceiling, c);
      result.phases.push({ concurrency: c, phase, requests: rec.total, errors: rec.errors, seconds: ms / 1000, reqPerSecond: rps, ceilingReqPerSecond: ceil, share: rps / ceil, truncated });
      result.kinds.push(...kindFigures(`c=${c} ${phase}`, rec, records));
    }, result.errorSamples);
    const rps = (allReq / allMs) * 1000;
    const ceil = mixCeiling(all, allReq, ceiling, c);
    result.phases.push({ concurrency: c, phase: 'whole sync', requests: allReq, errors: allErr, seconds: allMs / 1000, reqPerSecond: rps, ceilingReqPerSecond: ceil, share: rps / ceil, truncated: false });
    client.close();
  }
  // Concurrency 1: handler own time without queueing behind other requests.
  const solo = env.client('solo', 1);
  const soloShape = syncShape(soloUsers);
  env.probe.solo = true;
  try {
    await entraSync(env, solo, soloShape, 1, 'solo', (phase, rec) => result.solo.push(...kindFigures(phase, rec, env.probe.take())), result.errorSamples);
  } finally {
    env.probe.solo = false;
  }
  solo.close();
  env.probe.capacity = true;
  return result;
}
