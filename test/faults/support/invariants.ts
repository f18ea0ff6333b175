/**
 * Storage invariants of one connector, checked by scanning the table (test-only, small tables):
 * what must hold after any fault once the system has recovered.
 *  - every user/group with a unique name has its guard item, and every guard points at an
 *    existing resource whose name folds to it (no orphan guard, no unguarded name);
 *  - every membership item belongs to an existing group and names an existing member (unless a
 *    purge task for the deleted side is still pending, when `allowPendingPurges`);
 *  - every group's member count `mc` equals its membership items;
 *  - the counter shards add up to the number of users and groups;
 *  - every stored document is JSON without `password`.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../lambdas/store/keys.js';

export interface InvariantReport {
  users: number;
  groups: number;
  members: number;
  pendingPurges: number;
  violations: string[];
}

export async function scanConnector(doc: DynamoDBDocumentClient, tableName: string, connector: string): Promise<Record<string, unknown>[]> {
  const prefix = `C#${encodeURIComponent(connector)}#`;
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const res = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const i of res.Items ?? []) if (String(i.PK).startsWith(prefix)) out.push(i);
    start = res.LastEvaluatedKey;
    if (!start) break;
  }
  return out;
}

/** Items that make up the connector's data (bookmarks are caches, left out of snapshots). */
export function dataItems(items: Record<string, unknown>[]): Record<string, unknown>[] {
  return items.filter((i) => !String(i.PK).includes('#PAGE#')).sort((a, b) => `${a.PK} ${a.SK}`.localeCompare(`${b.PK} ${b.SK}`));
}

export async function checkInvariants(
  doc: DynamoDBDocumentClient,
  tableName: string,
  connector: string,
  opts: { allowPendingPurges?: boolean; groupNamesUnique?: boolean } = {},
): Promise<InvariantReport> {
  const items = await scanConnector(doc, tableName, connector);
  const v: string[] = [];
  const byPk = (pk: string) => items.filter((i) => i.PK === pk);
  const users = byPk(keys.resourcePartition(connector, 'User'));
  const groups = byPk(keys.resourcePartition(connector, 'Group'));
  const exists = new Set([...users.map((u) => `User:${String(u.id)}`), ...groups.map((g) => `Group:${String(g.id)}`)]);
  const purges = byPk(keys.purgePartition(connector));
  const pending = new Set(purges.map((p) => `${String(p.kind)}:${String(p.id)}`));
  if (!opts.allowPendingPurges && purges.length > 0) v.push(`pending purge tasks: ${[...pending].join(', ')}`);
  const itemKey = (i: Record<string, unknown>) => `${String(i.PK)}|${String(i.SK)}`;
  const all = new Map(items.map((i) => [itemKey(i), i]));

  const guardPrefixes = { User: `C#${encodeURIComponent(connector)}#USERNAME#`, Group: `C#${encodeURIComponent(connector)}#GROUPNAME#` } as const;
  for (const [kind, list] of [['User', users], ['Group', groups]] as const) {
    if (kind === 'Group' && opts.groupNamesUnique === false) continue;
    for (const r of list) {
      if (typeof r.uname !== 'string') continue;
      const g = kind === 'User' ? keys.userNameGuard(connector, r.uname) : keys.groupNameGuard(connector, r.uname);
      const guard = all.get(`${g.PK}|${g.SK}`);
      if (!guard) v.push(`${kind} ${String(r.id)} (${r.uname}) has no guard item`);
      else if (guard.id !== r.id) v.push(`${kind} ${String(r.id)} guard points at ${String(guard.id)}`);
    }
    for (const g of items.filter((i) => String(i.PK).startsWith(guardPrefixes[kind]))) {
      const target = list.find((r) => r.id === g.id);
      if (!target) v.push(`orphan ${kind} guard ${String(g.PK)} → ${String(g.id)}`);
      else {
        const expected = kind === 'User' ? keys.userNameGuard(connector, String(target.uname)) : keys.groupNameGuard(connector, String(target.uname));
        if (expected.PK !== g.PK) v.push(`${kind} guard ${String(g.PK)} does not match the name of ${String(g.id)}`);
      }
    }
  }

  const memberPrefix = `C#${encodeURIComponent(connector)}#MEMBERS#`;
  const members = items.filter((i) => String(i.PK).startsWith(memberPrefix));
  const perGroup = new Map<string, number>();
  for (const m of members) {
    const gid = decodeURIComponent(String(m.PK).slice(memberPrefix.length));
    perGroup.set(gid, (perGroup.get(gid) ?? 0) + 1);
    const groupOk = exists.has(`Group:${gid}`) || (opts.allowPendingPurges && pending.has(`Group:${gid}`));
    if (!groupOk) v.push(`membership ${gid} → ${String(m.mid)}: group does not exist`);
    const mtype = m.mtype === 'Group' ? 'Group' : 'User';
    const memberOk = exists.has(`${mtype}:${String(m.mid)}`) || (opts.allowPendingPurges && pending.has(`${mtype}:${String(m.mid)}`));
    if (!memberOk) v.push(`membership ${gid} → ${mtype} ${String(m.mid)}: member does not exist`);
  }
  for (const g of groups) {
    const n = perGroup.get(String(g.id)) ?? 0;
    if (Number(g.mc ?? 0) !== n) v.push(`group ${String(g.id)} mc=${String(g.mc)} but ${n} membership items`);
  }

  const counters = byPk(keys.counterPartition(connector));
  const sum = (prefix: string) => counters.filter((c) => String(c.SK).startsWith(prefix)).reduce((a, c) => a + Number(c.n ?? 0), 0);
  if (sum('USER#') !== users.length) v.push(`user counters say ${sum('USER#')}, ${users.length} users stored`);
  if (sum('GROUP#') !== groups.length) v.push(`group counters say ${sum('GROUP#')}, ${groups.length} groups stored`);

  for (const r of [...users, ...groups]) {
    let doc: unknown;
    try {
      doc = JSON.parse(String(r.doc));
    } catch {
      v.push(`${String(r.id)}: document is not JSON`);
      continue;
    }
    if (JSON.stringify(doc).toLowerCase().includes('"password"')) v.push(`${String(r.id)}: password stored`);
  }
  return { users: users.length, groups: groups.length, members: members.length, pendingPurges: purges.length, violations: v };
}
