/**
 * The store facade the service uses: one object per table, connector passed on every call.
 */
import type { Filter } from '../scim/filter/ast.js';
import { createContext, type StoreContext, type StoreOptions } from './context.js';
import type { ResourceKind } from './keys.js';
import type { StoredResource } from './items.js';
import { unfilteredPage } from './paging.js';
import { executeFilter, type Evaluate } from './planner.js';
import { Repository } from './repository.js';

export interface ListOptions {
  filter?: Filter;
  /** Needed when `filter` is set: the core's evaluator bound to the resource schema. */
  evaluate?: Evaluate;
  startIndex?: number;
  count: number;
  cursor?: string;
  /** What identifies the query for cursors/bookmarks (defaults to the filter). */
  query?: unknown;
}

export interface ListResult {
  items: StoredResource[];
  totalResults: number;
  nextCursor: string | undefined;
}

export class ScimStore {
  readonly ctx: StoreContext;
  readonly repo: Repository;

  constructor(opts: StoreOptions) {
    this.ctx = createContext(opts);
    this.repo = new Repository(this.ctx);
  }

  /** A page of users or groups; unfiltered lists take `totalResults` from the counters (one read). */
  async list(connector: string, kind: ResourceKind, o: ListOptions): Promise<ListResult> {
    const count = Math.max(0, Math.floor(o.count));
    if (o.filter) {
      if (!o.evaluate) throw new Error('list with a filter needs an evaluator');
      const r = await executeFilter(this.ctx, this.repo, connector, kind, o.filter, o.evaluate, {
        count,
        ...(o.startIndex !== undefined ? { startIndex: o.startIndex } : {}),
        ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
        query: o.query ?? o.filter,
      });
      return { items: r.items, totalResults: r.totalResults, nextCursor: r.nextCursor };
    }
    const [counts, page] = await Promise.all([
      this.repo.counts(connector),
      unfilteredPage(this.ctx, connector, kind, {
        count,
        ...(o.startIndex !== undefined ? { startIndex: o.startIndex } : {}),
        ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
        query: o.query ?? null,
      }),
    ]);
    return { items: page.items, totalResults: kind === 'User' ? counts.users : counts.groups, nextCursor: page.nextCursor };
  }
}
