/**
 * Measure 3, large groups over HTTP: adding one member must cost the same and take about as long
 * whatever the group size (the store never reads the member list for an add), so we add one member
 * to groups of 10 … 50k members, interleaved round-robin to spread noise, and compare p50s and
 * DynamoDB calls. Then bulk adds (100, 256 members in one PATCH), replacing all members of the
 * largest group, and deleting a group of that size: the request (which purges up to the store's
 * inline limit) and the rest of the cleanup (store `purge`, as a sweeper would run it) separately.
 * Groups and users are seeded with the store's item codecs (support/seed.ts).
 */
import { attachMeter } from '../../lambdas/store/metering.js';
import { ScimStore } from '../../lambdas/store/store.js';
import { rawClient, type BenchEnv } from './support/env.js';
import type { Reply } from './support/http.js';
import { totalCalls, type RequestRecord } from './support/probe.js';
import { seedGroup, seedUsers } from './support/seed.js';
import { summarize } from './support/stats.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface GroupFigure {
  case: string;
  members: number;
  n: number;
  status: string;
  p50: number;
  p99: number;
  calls: string;
}

export interface GroupsResult {
  sizes: number[];
  rows: GroupFigure[];
  /** p50 of add-1 at the largest size / at the smallest. */
  latencyRatio: number;
  sameCalls: boolean;
  seedSeconds: number;
  cleanup: { members: number; seconds: number; calls: number; batchWrites: number; runs: number };
  /** The replace-all request as an IdP sees it: attempts until a 2xx, their total time, members left. */
  replaced: { attempts: number; ms: number; status: string; members: number };
}

const CONNECTOR = 'groups';

function callsOf(records: readonly RequestRecord[]): string {
  const per: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r.byOp)) per[k] = (per[k] ?? 0) + v.calls;
  const n = Math.max(1, records.length);
  const total = records.reduce((s, r) => s + totalCalls(r).calls, 0) / n;
  return `${Number(total.toFixed(2))} (${Object.entries(per).map(([k, v]) => `${k}×${Number((v / n).toFixed(2))}`).join(' ')})`;
}

export async function runGroups(env: BenchEnv, o: { sizes: number[]; repeats: number }): Promise<GroupsResult> {
  const largest = Math.max(...o.sizes);
  const seeder = { doc: env.doc, table: env.tableName };
  const t0 = performance.now();
  const spare = o.repeats * o.sizes.length + 2 * (100 + 256) * 2 + 50;
  const users = await seedUsers(seeder, CONNECTOR, largest + spare, 'grp');
  const members = users.slice(0, largest);
  let free = largest;
  const take = (k: number) => {
    const ids = users.slice(free, free + k);
    free += k;
    return ids;
  };
  const groups: { size: number; id: string }[] = [];
  for (const size of o.sizes) groups.push({ size, id: await seedGroup(seeder, CONNECTOR, `group of ${size}`, members.slice(0, size)) });
  const replaceId = await seedGroup(seeder, CONNECTOR, `replace ${largest}`, members);
  const deleteId = await seedGroup(seeder, CONNECTOR, `delete ${largest}`, members);
  const seedSeconds = (performance.now() - t0) / 1000;

  const c = env.client(CONNECTOR, 2);
  env.probe.capacity = false;
  // Check the seed through HTTP: the group reports its member count via a members filter page.
  const probeGet = await c.req('seed check', 'GET', `/Groups/${groups[0]?.id}?excludedAttributes=members`);
  if (probeGet.status !== 200) throw new Error(`groups: seeded group unreadable: ${probeGet.status}`);
  env.probe.take();

  const rows: GroupFigure[] = [];
  const measure = async (label: string, size: number, send: (kind: string) => Promise<Reply>, n: number) => {
    const ms: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < n; i++) {
      const rep = await send(label);
      ms.push(rep.ms);
      statuses.add(rep.status);
    }
    const recs = env.probe.take().filter((r) => r.kind === label);
    const s = summarize(ms);
    rows.push({ case: label, members: size, n, status: [...statuses].join(','), p50: s.p50, p99: s.p99, calls: callsOf(recs) });
    return ms;
  };

  // Add one member, round-robin over the sizes so load noise hits all of them alike.
  const byGroup = new Map<number, { ms: number[]; recs: RequestRecord[] }>(groups.map((g) => [g.size, { ms: [], recs: [] }]));
  for (let i = 0; i < o.repeats; i++) {
    for (const g of groups) {
      const [uid] = take(1);
      const label = `add 1 member (group of ${g.size})`;
      const rep = await c.patchOps(label, `/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: uid }] }]);
      if (rep.status >= 300) throw new Error(`groups: ${label} → ${rep.status} ${JSON.stringify(rep.body)}`);
      const slot = byGroup.get(g.size);
      slot?.ms.push(rep.ms);
      slot?.recs.push(...env.probe.take().filter((r) => r.kind === label));
    }
  }
  for (const g of groups) {
    const slot = byGroup.get(g.size) ?? { ms: [], recs: [] };
    const s = summarize(slot.ms);
    rows.push({ case: 'PATCH add 1 member', members: g.size, n: slot.ms.length, status: '204', p50: s.p50, p99: s.p99, calls: callsOf(slot.recs) });
  }
  const first = rows[0];
  const last = rows[groups.length - 1];
  const latencyRatio = first && last ? last.p50 / first.p50 : Number.NaN;
  const sameCalls = rows.slice(0, groups.length).every((r) => r.calls === first?.calls);

  const mid = groups.find((g) => g.size === largest) ?? groups[0];
  for (const k of [100, 256]) {
    await measure(`PATCH add ${k} members`, largest, (kind) => c.patchOps(kind, `/Groups/${mid?.id}`, [{ op: 'add', path: 'members', value: take(k).map((value) => ({ value })) }]), 3);
  }
  // Replace every member of the largest group by 10 new ones (Okta's `replace members` shape).
  const replacement = take(10).map((value) => ({ value }));
  const replaceLabel = `PATCH replace all members (${largest} → 10)`;
  const replaceOnce = (kind: string) => c.patchOps(kind, `/Groups/${replaceId}`, [{ op: 'replace', path: 'members', value: replacement }]);
  const firstTry = await measure(replaceLabel, largest, replaceOnce, 1);
  // An answer past the deadline is a 503 + Retry-After; the IdP retries the same request, which
  // continues from what is left. Retried here as Entra/Okta would (without their back-off wait).
  const retry = { attempts: 1, ms: firstTry[0] ?? 0, status: rows.at(-1)?.status ?? '' };
  while (retry.status === '503' && retry.attempts < 5) {
    const rep = await replaceOnce(`${replaceLabel}, retried`);
    retry.attempts++;
    retry.ms += rep.ms;
    retry.status = String(rep.status);
  }
  env.probe.take();
  const after = await c.req('replace check', 'GET', `/Groups/${replaceId}`);
  const replaced = { ...retry, members: Array.isArray(after.body?.members) ? after.body.members.length : -1 };
  env.probe.take();
  await measure(`DELETE group (request)`, largest, (kind) => c.req(kind, 'DELETE', `/Groups/${deleteId}`), 1);
  c.close();

  // The rest of the cleanup, as a sweeper runs it: store purge until done, metered.
  const raw = rawClient(env.endpoint.dynamodbEndpoint);
  const meter = attachMeter(raw);
  const store = new ScimStore({ doc: DynamoDBDocumentClient.from(raw), tableName: env.tableName });
  const t1 = performance.now();
  let runs = 0;
  let purged = 0;
  for (let done = false; !done && runs < 1000; runs++) {
    const r = await store.repo.purge(CONNECTOR, 'Group', deleteId, { maxItems: 10_000 });
    purged += r.deleted;
    done = r.done;
  }
  const cleanup = { members: purged, seconds: (performance.now() - t1) / 1000, calls: meter.calls(), batchWrites: meter.calls('BatchWriteItem'), runs };
  raw.destroy();
  env.probe.capacity = true;
  return { sizes: o.sizes, rows, latencyRatio, sameCalls, seedSeconds, cleanup, replaced };
}
