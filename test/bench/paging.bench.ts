/**
 * Measure 4, Okta import paging over HTTP: walk all users with startIndex += 100 (Okta's import),
 * then again with RFC 9865 cursors. Page-1 vs last-page latency (medians of the first and last ten
 * pages) and the DynamoDB reads of the whole walk against the minimum: the RCU of a bare paged
 * Query (Limit 100, strongly consistent) over the same user items — what reading exactly the
 * returned items costs. Users are seeded with the store's item codecs (support/seed.ts).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lambdas/store/keys.js';
import type { BenchEnv } from './support/env.js';
import { totalCalls } from './support/probe.js';
import { seedUsers } from './support/seed.js';
import { median } from './support/stats.js';

export interface WalkFigure {
  mode: 'startIndex' | 'cursor';
  pages: number;
  users: number;
  errors: number;
  seconds: number;
  firstPagesP50: number;
  lastPagesP50: number;
  ratio: number;
  calls: number;
  rcu: number;
  wcu: number;
  minimumRcu: number;
  readRatio: number;
  responseBytes: number;
}

export interface PagingResult {
  users: number;
  seedSeconds: number;
  walks: WalkFigure[];
}

const CONNECTOR = 'paging';

async function minimumRcu(env: BenchEnv): Promise<number> {
  let rcu = 0;
  let start: Record<string, unknown> | undefined;
  for (let i = 0; i < 100_000; i++) {
    const res = await env.doc.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'PK = :p',
        ExpressionAttributeValues: { ':p': keys.resourcePartition(CONNECTOR, 'User') },
        Limit: 100,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
        ExclusiveStartKey: start,
      }),
    );
    rcu += res.ConsumedCapacity?.CapacityUnits ?? 0;
    start = res.LastEvaluatedKey;
    if (!start) break;
  }
  return rcu;
}

export async function runPaging(env: BenchEnv, o: { users: number }): Promise<PagingResult> {
  const t0 = performance.now();
  await seedUsers({ doc: env.doc, table: env.tableName }, CONNECTOR, o.users, 'okta');
  const seedSeconds = (performance.now() - t0) / 1000;
  const minimum = await minimumRcu(env);
  const c = env.client(CONNECTOR, 1);
  env.probe.capacity = true;
  const walks: WalkFigure[] = [];
  const maxPages = Math.ceil(o.users / 100) + 1;

  for (const mode of ['startIndex', 'cursor'] as const) {
    // Warm-up (JIT, sockets) so page 1 is not a cold-start figure.
    for (let i = 0; i < 5; i++) await c.req('warm-up', 'GET', `/Users?count=100&excludedAttributes=groups${mode === 'cursor' ? '&cursor' : ''}`);
    env.probe.take();
    const ms: number[] = [];
    let users = 0;
    let errors = 0;
    let bytes = 0;
    let cursor: string | undefined = '';
    const started = performance.now();
    for (let page = 0; page < maxPages; page++) {
      // Okta asks for the group memberships separately: the import reads users without `groups`.
      const q = mode === 'startIndex' ? `startIndex=${page * 100 + 1}&count=100` : `count=100&${cursor === '' ? 'cursor' : `cursor=${encodeURIComponent(cursor ?? '')}`}`;
      const rep = await c.req(`${mode} page`, 'GET', `/Users?${q}&excludedAttributes=groups`);
      if (rep.status !== 200) {
        errors++;
        break;
      }
      ms.push(rep.ms);
      bytes += rep.bytes;
      const got = (rep.body?.Resources ?? []).length as number;
      users += got;
      if (mode === 'startIndex' && (got < 100 || users >= Number(rep.body?.totalResults))) break;
      if (mode === 'cursor') {
        cursor = rep.body?.nextCursor as string | undefined;
        if (!cursor) break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const recs = env.probe.take();
    const t = recs.reduce((s, r) => {
      const x = totalCalls(r);
      return { calls: s.calls + x.calls, rcu: s.rcu + x.rcu, wcu: s.wcu + x.wcu };
    }, { calls: 0, rcu: 0, wcu: 0 });
    const k = Math.min(10, Math.max(1, Math.floor(ms.length / 4)));
    const first = median(ms.slice(0, k));
    const last = median(ms.slice(-k));
    walks.push({
      mode,
      pages: ms.length,
      users,
      errors,
      seconds,
      firstPagesP50: first,
      lastPagesP50: last,
      ratio: last / first,
      calls: t.calls,
      rcu: t.rcu,
      wcu: t.wcu,
      minimumRcu: minimum,
      readRatio: t.rcu / minimum,
      responseBytes: bytes,
    });
  }
  c.close();
  return { users: o.users, seedSeconds, walks };
}
