/**
 * Queries at the server root (RFC 7644 §3.4.2.1 `GET <base>/?filter=…`, §3.4.3 `POST
 * <base>/.search`): one filter over every resource type the connector offers, Users then Groups,
 * composed from the two ResourceServices (so each resource is rendered, projected and budgeted
 * exactly as /Users and /Groups render it, `schemas` and `meta.resourceType` included).
 *
 *  - Per type the filter is specialised first (scim/filter/specialize.ts): a type where it cannot
 *    match is not read at all, a type where it matches everything is listed unfiltered.
 *  - Index paging: the window [startIndex, startIndex + count) over the concatenation Users ++
 *    Groups. Unfiltered types take their totals from the counters (one Query for both types), so a
 *    window that does not reach a type reads nothing of it (no keys-only skip through all users to
 *    reach the groups); a filtered type is queried once (its planner fetches every match anyway),
 *    with `count` 0 when only its total is needed. `totalResults` is exact: the sum of both.
 *  - Cursor paging (RFC 9865): the root cursor is the type being read plus that type's own store
 *    cursor, signed and bound to connector and filter like the store's cursors (store/paging.ts).
 *    It also carries the totals of the filtered types: the type not being read is counted (a full
 *    filtered read) once per walk, on the first page it is needed, never again on later pages.
 */
import { createHash } from 'node:crypto';
import type { ResolvedProfile } from '../connectors/rules.js';
import type { Filter } from '../scim/filter/ast.js';
import { parseFilter } from '../scim/filter/parse.js';
import { printFilter } from '../scim/filter/print.js';
import { specializeFilter } from '../scim/filter/specialize.js';
import { listResponse, type ListResponse } from '../scim/list.js';
import type { ScimResource } from '../scim/schema/types.js';
import { isStorageError, StorageError, toScimError } from '../store/errors.js';
import type { ResourceKind } from '../store/keys.js';
import { openCursor, sealCursor } from '../store/paging.js';
import type { ScimStore } from '../store/store.js';
import type { ConnectorSchemas, ListQuery, ReadOptions, ResourceService } from './service.js';

export interface RootSearchOptions {
  readonly store: ScimStore;
  readonly users: ResourceService;
  readonly groups: ResourceService;
  readonly schemas: (connector: string) => ConnectorSchemas;
  /** The connector's profile: which resource types it offers (none = both). */
  readonly profile?: (connector: string) => Pick<ResolvedProfile, 'offers'>;
}

/** One resource type of a root query: its service and what the filter is for it. */
interface Part {
  readonly kind: ResourceKind;
  /** The type's letter in a root cursor. */
  readonly tag: 'U' | 'G';
  readonly service: ResourceService;
  /** The filter for this type; undefined = every resource of the type. */
  readonly filter: string | undefined;
}

type Counts = { readonly users: number; readonly groups: number };

const countOf = (counts: Counts | undefined, kind: ResourceKind): number => (kind === 'User' ? counts?.users : counts?.groups) ?? 0;

export class RootSearch {
  constructor(private readonly o: RootSearchOptions) {}

  /** GET <base>/ and POST <base>/.search: a ListResponse over Users then Groups. */
  async list(connector: string, q: ListQuery): Promise<ListResponse<ScimResource>> {
    try {
      const { filter: text, startIndex, count, cursor, ...read } = q;
      const filter = text !== undefined && text.trim() !== '' ? parseFilter(text) : undefined;
      const parts = this.parts(connector, filter, text);
      // One Query of the counter partition serves every unfiltered type (RFC 7644 §3.4.2.4 totals).
      const counts = parts.some((p) => p.filter === undefined) ? await this.o.store.repo.counts(connector) : undefined;
      if (cursor !== undefined) return await this.cursorPage(connector, parts, read, count, counts, cursor, rootQueryHash(connector, filter));
      return await this.indexPage(connector, parts, read, count, counts, startIndex ?? 1);
    } catch (e) {
      if (isStorageError(e)) throw toScimError(e);
      throw e;
    }
  }

  /** The offered types in answer order, with the filter specialised to each; types it cannot match are left out. */
  private parts(connector: string, filter: Filter | undefined, text: string | undefined): Part[] {
    const profile = this.o.profile?.(connector);
    const schemas = this.o.schemas(connector);
    const out: Part[] = [];
    for (const [kind, tag, service, rs] of [
      ['User', 'U', this.o.users, schemas.user],
      ['Group', 'G', this.o.groups, schemas.group],
    ] as const) {
      if (profile && !profile.offers(kind)) continue; // users-only connectors (Jostle) search users only
      if (filter === undefined) {
        out.push({ kind, tag, service, filter: undefined });
        continue;
      }
      const s = specializeFilter(filter, rs);
      if (s === false) continue;
      out.push({ kind, tag, service, filter: s === true ? undefined : s === filter ? text : printFilter(s) });
    }
    return out;
  }

  private async total(connector: string, p: Part, counts: Counts | undefined): Promise<number> {
    if (p.filter === undefined) return countOf(counts, p.kind);
    return (await p.service.list(connector, { filter: p.filter, count: 0, startIndex: 1 })).totalResults;
  }

  private async indexPage(connector: string, parts: Part[], read: ReadOptions, count: number, counts: Counts | undefined, startIndex: number) {
    const resources: ScimResource[] = [];
    let total = 0;
    let skip = Math.max(1, startIndex) - 1; // resources before the window, over the remaining types
    let remaining = count;
    for (const p of parts) {
      let n: number;
      if (p.filter === undefined && (remaining === 0 || skip >= countOf(counts, p.kind))) {
        n = countOf(counts, p.kind); // the window does not reach this type: nothing to read
      } else {
        const r = await p.service.list(connector, { ...read, ...(p.filter !== undefined ? { filter: p.filter } : {}), count: remaining, startIndex: skip + 1 });
        n = r.totalResults;
        resources.push(...r.Resources);
        remaining -= r.Resources.length;
      }
      total += n;
      skip = Math.max(0, skip - n);
    }
    return listResponse({ resources, totalResults: total, startIndex: Math.max(1, startIndex) });
  }

  private async cursorPage(connector: string, parts: Part[], read: ReadOptions, count: number, counts: Counts | undefined, cursor: string, qh: string) {
    const ctx = this.o.store.ctx; // the cursor key is loaded only here, on cursor paging
    let at = 0;
    let inner = '';
    let index = 1;
    // Totals of filtered types counted on an earlier page of this walk (by tag).
    let known: Readonly<Record<string, number>> = {};
    if (cursor !== '') {
      const c = await openCursor(ctx, cursor, qh);
      at = parts.findIndex((p) => p.tag === c.k[0]);
      if (at < 0) throw new StorageError('invalidCursor', 'invalid cursor: it names a resource type this query does not return');
      inner = c.k.slice(1);
      index = c.i;
      known = c.t ?? {};
    }
    const totals: Record<string, number> = {};
    const resources: ScimResource[] = [];
    let total = 0;
    let remaining = count;
    let next: { tag: string; inner: string } | undefined;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as Part;
      const reading = i >= at && next === undefined && count > 0;
      if (reading && remaining > 0) {
        const r = await p.service.list(connector, { ...read, ...(p.filter !== undefined ? { filter: p.filter } : {}), count: remaining, cursor: i === at ? inner : '' });
        total += r.totalResults;
        if (p.filter !== undefined) totals[p.tag] = r.totalResults;
        resources.push(...r.Resources);
        remaining -= r.Resources.length;
        if (r.nextCursor !== undefined) next = { tag: p.tag, inner: r.nextCursor };
        continue;
      }
      const n = p.filter !== undefined && known[p.tag] !== undefined ? known[p.tag]! : await this.total(connector, p, counts);
      if (p.filter !== undefined) totals[p.tag] = n;
      total += n;
      // The page filled up exactly where this type begins: the next page starts it.
      if (reading && n > 0) next = { tag: p.tag, inner: '' };
    }
    const carried = Object.keys(totals).length > 0 ? { t: totals } : {};
    const nextCursor = next && (await sealCursor(ctx, { q: qh, k: `${next.tag}${next.inner}`, i: index + resources.length, ...carried }));
    return listResponse({ resources, totalResults: total, nextCursor });
  }
}

/** Binds a root cursor to the connector and the filter (never valid for /Users or /Groups, nor the reverse). */
function rootQueryHash(connector: string, filter: Filter | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(['root', connector, filter ? printFilter(filter) : null]))
    .digest('base64url')
    .slice(0, 22);
}
