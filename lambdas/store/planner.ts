/**
 * Filter planning: turn a SCIM filter into the cheapest DynamoDB access, then evaluate the whole
 * filter in memory on what was fetched (so lookups only need to be a superset, never exact).
 *
 *   id eq            → GetItem                               (1 call)
 *   userName eq      → userName guard + GetItem              (2 calls, case-insensitive, consistent)
 *   displayName eq   → group name guard + GetItem            (2 calls; scan when the guard is off)
 *   externalId eq    → GSI1 keys-only Query + BatchGet       (2 calls)
 *   members[value eq x] / members.value eq x (groups) → x's membership edges (GSI1) + BatchGet
 *   groups[value eq g] / groups.value eq g (users)    → g's member items + BatchGet
 *   anything else    → bounded read of the connector's partition; more than `maxFilterRead` → 400 tooMany
 * Each of these may be one conjunct of a top-level `and`; the other conjuncts are evaluated on the
 * fetched item (Entra's `id eq X and manager eq Y` reference check is a GetItem). Membership terms
 * are not in the stored document, so they are checked against membership items (one GetItem each).
 */
import { ScimError } from '../scim/errors.js';
import type { AttrPath, Filter } from '../scim/filter/ast.js';
import { SCHEMA, type ScimResource } from '../scim/schema/types.js';
import type { StoreContext } from './context.js';
import { StorageError } from './errors.js';
import { encodeKeyPart, type ResourceKind } from './keys.js';
import { scimView, type StoredResource } from './items.js';
import { openCursor, queryHash, readPage, sealCursor } from './paging.js';
import type { Repository } from './repository.js';

/** The core's evaluator (`matchesFilter(f, resource, rs)` with the schema bound). */
export type Evaluate = (filter: Filter, resource: ScimResource) => boolean;

export type Access =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'userName'; readonly value: string }
  | { readonly kind: 'displayName'; readonly value: string }
  | { readonly kind: 'externalId'; readonly value: string }
  /** groups that have this member / users in this group */
  | { readonly kind: 'edge'; readonly value: string }
  | { readonly kind: 'scan' };

export interface QueryPlan {
  readonly access: Access;
  /** Membership ids every candidate must be linked to (member of group / group of user). */
  readonly edges: readonly string[];
  /** Filter evaluated in memory on candidates (edge terms removed); undefined = all match. */
  readonly residual: Filter | undefined;
}

const CORE_URN = { User: SCHEMA.user.toLowerCase(), Group: SCHEMA.group.toLowerCase() };

function isCore(kind: ResourceKind, p: AttrPath): boolean {
  return p.uri === undefined || p.uri.toLowerCase() === CORE_URN[kind];
}

function named(kind: ResourceKind, p: AttrPath, attr: string): boolean {
  return isCore(kind, p) && p.attr.toLowerCase() === attr && p.subAttr === undefined;
}

function conjuncts(f: Filter): Filter[] {
  return f.kind === 'and' ? [...conjuncts(f.left), ...conjuncts(f.right)] : [f];
}

function andAll(fs: Filter[]): Filter | undefined {
  return fs.reduce<Filter | undefined>((acc, f) => (acc ? { kind: 'and', left: acc, right: f } : f), undefined);
}

/** `members` for groups, `groups` for users: the attribute backed by membership items. */
function edgeAttr(kind: ResourceKind): string {
  return kind === 'Group' ? 'members' : 'groups';
}

/** `members eq x`, `members.value eq x`, `members[value eq x]` → x. */
function edgeTerm(kind: ResourceKind, f: Filter): string | undefined {
  const attr = edgeAttr(kind);
  if (f.kind === 'compare' && f.op === 'eq' && typeof f.value === 'string' && isCore(kind, f.path) && f.path.attr.toLowerCase() === attr) {
    if (f.path.subAttr === undefined || f.path.subAttr.toLowerCase() === 'value') return f.value;
  }
  if (f.kind === 'valuePath' && isCore(kind, f.path) && f.path.attr.toLowerCase() === attr && f.path.subAttr === undefined) {
    const inner = f.filter;
    if (inner.kind === 'compare' && inner.op === 'eq' && typeof inner.value === 'string' && inner.path.attr.toLowerCase() === 'value' && inner.path.subAttr === undefined)
      return inner.value;
  }
  return undefined;
}

function mentions(kind: ResourceKind, f: Filter, attr: string): boolean {
  switch (f.kind) {
    case 'compare':
    case 'present':
    case 'valuePath':
      return isCore(kind, f.path) && f.path.attr.toLowerCase() === attr;
    case 'and':
    case 'or':
      return mentions(kind, f.left, attr) || mentions(kind, f.right, attr);
    case 'not':
      return mentions(kind, f.filter, attr);
  }
}

function eqString(kind: ResourceKind, f: Filter, attr: string): string | undefined {
  return f.kind === 'compare' && f.op === 'eq' && typeof f.value === 'string' && named(kind, f.path, attr) ? f.value : undefined;
}

export function planFilter(kind: ResourceKind, filter: Filter, opts: { displayNameIndexed: boolean }): QueryPlan {
  const terms = conjuncts(filter);
  const edges: string[] = [];
  const rest: Filter[] = [];
  for (const t of terms) {
    const e = edgeTerm(kind, t);
    if (e !== undefined) edges.push(e);
    else if (mentions(kind, t, edgeAttr(kind)))
      throw new ScimError(
        400,
        'invalidFilter',
        `filters on ${edgeAttr(kind)} support only "${edgeAttr(kind)}[value eq ...]" or "${edgeAttr(kind)}.value eq ..." combined with "and"`,
      );
    else rest.push(t);
  }
  const residual = andAll(rest);
  const pick = (attr: string): string | undefined => rest.map((t) => eqString(kind, t, attr)).find((v) => v !== undefined);
  const id = pick('id');
  if (id !== undefined) return { access: { kind: 'id', value: id }, edges, residual };
  if (kind === 'User') {
    const u = pick('username');
    if (u !== undefined) return { access: { kind: 'userName', value: u }, edges, residual };
  } else if (opts.displayNameIndexed) {
    const d = pick('displayname');
    if (d !== undefined) return { access: { kind: 'displayName', value: d }, edges, residual };
  }
  const x = pick('externalid');
  if (x !== undefined) return { access: { kind: 'externalId', value: x }, edges, residual };
  const [first, ...others] = edges;
  if (first !== undefined) return { access: { kind: 'edge', value: first }, edges: others, residual };
  return { access: { kind: 'scan' }, edges, residual };
}

export interface FilteredPage {
  items: StoredResource[];
  totalResults: number;
  nextCursor: string | undefined;
}

/** Fetch candidates for the plan, evaluate, page in memory (matches are bounded by `maxFilterRead`). */
export async function executeFilter(
  ctx: StoreContext,
  repo: Repository,
  connector: string,
  kind: ResourceKind,
  filter: Filter,
  evaluate: Evaluate,
  paging: { startIndex?: number; count: number; cursor?: string; query?: unknown },
): Promise<FilteredPage & { plan: QueryPlan }> {
  const plan = planFilter(kind, filter, { displayNameIndexed: kind === 'Group' && ctx.connectorOptions(connector).groupDisplayNameUnique });
  const candidates = await fetchCandidates(ctx, repo, connector, kind, plan);
  const matches: StoredResource[] = [];
  for (const r of candidates) {
    if (plan.residual && !evaluate(plan.residual, scimView(r))) continue;
    let linked = true;
    for (const e of plan.edges) {
      const ok = kind === 'Group' ? await repo.hasMember(connector, r.id, e) : await repo.hasMember(connector, e, r.id);
      if (!ok) {
        linked = false;
        break;
      }
    }
    if (linked) matches.push(r);
  }
  matches.sort((a, b) => (encodeKeyPart(a.id) < encodeKeyPart(b.id) ? -1 : encodeKeyPart(a.id) > encodeKeyPart(b.id) ? 1 : 0));

  const qh = queryHash(connector, kind, paging.query ?? filter);
  let from = Math.max(1, paging.startIndex ?? 1) - 1;
  if (paging.cursor !== undefined && paging.cursor !== '') {
    const c = await openCursor(ctx, paging.cursor, qh);
    const at = matches.findIndex((m) => encodeKeyPart(m.id) > c.k);
    from = at < 0 ? matches.length : at;
  }
  const items = matches.slice(from, from + Math.max(0, paging.count));
  const tail = items[items.length - 1];
  // Only cursor paging hands out a cursor (and so needs the cursor key).
  const nextCursor =
    paging.cursor !== undefined && tail && from + items.length < matches.length
      ? await sealCursor(ctx, { q: qh, k: encodeKeyPart(tail.id), i: from + items.length + 1 })
      : undefined;
  return { items, totalResults: matches.length, nextCursor, plan };
}

async function fetchCandidates(ctx: StoreContext, repo: Repository, connector: string, kind: ResourceKind, plan: QueryPlan): Promise<StoredResource[]> {
  const a = plan.access;
  switch (a.kind) {
    case 'id': {
      const r = await repo.get(connector, kind, a.value);
      return r ? [r] : [];
    }
    case 'userName': {
      const r = await repo.findUserByUserName(connector, a.value);
      return r ? [r] : [];
    }
    case 'displayName': {
      const r = await repo.findGroupByDisplayName(connector, a.value);
      return r ? [r] : [];
    }
    case 'externalId':
      return repo.findByExternalId(connector, kind, a.value, ctx.maxFilterRead);
    case 'edge': {
      const ids =
        kind === 'Group'
          ? await repo.memberOfGroupIds(connector, a.value, ctx.maxFilterRead + 1)
          : (await repo.members(connector, a.value, { keysOnly: true, max: ctx.maxFilterRead + 1 })).map((m) => m.value);
      if (ids.length > ctx.maxFilterRead) throw tooMany(kind, ctx.maxFilterRead);
      return repo.getMany(connector, kind, ids);
    }
    case 'scan': {
      const counts = await repo.counts(connector);
      const total = kind === 'User' ? counts.users : counts.groups;
      if (total > ctx.maxFilterRead) throw tooMany(kind, ctx.maxFilterRead);
      const out: StoredResource[] = [];
      let after: string | undefined;
      do {
        const page = await readPage(ctx, connector, kind, 1000, after);
        out.push(...page.items);
        after = page.lastKey;
        if (out.length > ctx.maxFilterRead) throw tooMany(kind, ctx.maxFilterRead);
      } while (after !== undefined);
      return out;
    }
  }
}

function tooMany(kind: ResourceKind, max: number): StorageError {
  const keyAttrs = kind === 'User' ? 'id, userName or externalId' : 'id, displayName, externalId or members.value';
  return new StorageError(
    'tooMany',
    `this filter would have to read more than ${max} ${kind === 'User' ? 'users' : 'groups'}; filter with "eq" on ${keyAttrs} (optionally combined with "and")`,
  );
}
