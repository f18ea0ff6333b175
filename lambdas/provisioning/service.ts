/**
 * Provisioning use cases for one connector (passed explicitly): create / get / replace / patch /
 * delete / list for Users and Groups, built from the SCIM core (normalise, PATCH, filter,
 * projection) and the store. No HTTP here: callers pass parsed parameters and the raw If-Match
 * value, and get SCIM JSON (or a ScimError) back.
 *
 * Decisions:
 *  - `password` is dropped before storage (the store never sees it; nothing consumes it).
 *  - Concurrency: every write is conditional on the version read. Without If-Match a PATCH or PUT
 *    that loses a race is re-read and re-applied (a few tries, jittered); with If-Match the caller
 *    gets 412. Member-only group PATCHes commute and skip the version condition.
 *  - A user's `groups` (derived, read-only) is read from the inverted membership index for single
 *    reads when the projection wants it, and for lists only when `attributes` names it, so a list
 *    page stays O(page) calls.
 *  - Group `members` are read only when the projection wants them (`excludedAttributes=members`
 *    reads none); one response carries at most `maxMembersReturned` inline (a group, or all groups
 *    of a page, judged from the stored counts before reading), beyond that 400 tooMany.
 *  - The connector's profile (lambdas/connectors) applies here, never in handlers: a resource type
 *    it does not offer is 404 for every operation; its attribute rules run on every normalised
 *    write (after PATCH is applied, so PUT and PATCH get the same treatment); with
 *    `deactivation: 'delete'` a write that leaves a user `active: false` deletes the account
 *    (membership edges included) and is answered with the user as written, `active: false`.
 */
import { ScimError, isScimError } from '../scim/errors.js';
import { etagFor, etagMatches } from '../scim/etag.js';
import type { Filter } from '../scim/filter/ast.js';
import { matchesFilter } from '../scim/filter/evaluate.js';
import { parseFilter } from '../scim/filter/parse.js';
import { printFilter } from '../scim/filter/print.js';
import { MAX_MEMBERS_PER_RESPONSE } from '../scim/limits.js';
import { listResponse, type ListResponse } from '../scim/list.js';
import { normalizeResource } from '../scim/normalize.js';
import { applyPatch } from '../scim/patch/apply.js';
import { memberRefs, planGroupPatch } from '../scim/patch/members.js';
import { parsePatchRequest } from '../scim/patch/request.js';
import type { MemberRef, PatchOperation } from '../scim/patch/types.js';
import { project, wantsAttribute, type ProjectionOptions } from '../scim/projection.js';
import type { ResourceSchema } from '../scim/schema/resource-schema.js';
import type { ScimResource } from '../scim/schema/types.js';
import { isStorageError, StorageError, toScimError } from '../store/errors.js';
import { scimView, type StoredResource } from '../store/items.js';
import type { ResourceKind } from '../store/keys.js';
import type { ScimStore } from '../store/store.js';
import { applyRules, type ResolvedProfile } from '../connectors/rules.js';

export interface ConnectorSchemas {
  readonly user: ResourceSchema;
  readonly group: ResourceSchema;
}

export interface ProvisioningOptions {
  readonly store: ScimStore;
  /** The resource schemas of a connector (core + its extensions). */
  readonly schemas: (connector: string) => ConnectorSchemas;
  /** The connector's resolved profile (rules, offered types, lifecycle); none = no rules. */
  readonly profile?: (connector: string) => ResolvedProfile;
  /** Re-read/re-apply attempts for a PATCH/PUT that lost a race (no If-Match). Default 12. */
  readonly conflictRetries?: number;
  /** Most members one response carries inline (a group, or a whole group page). Default MAX_MEMBERS_PER_RESPONSE. */
  readonly maxMembersReturned?: number;
}

export interface ReadOptions extends ProjectionOptions {
  /** `https://…/scim/v2`: when given, `meta.location` and member `$ref`s are absolute URLs. */
  readonly baseUrl?: string;
}

export interface WriteOptions extends ReadOptions {
  /** The raw If-Match header, if the client sent one. */
  readonly ifMatch?: string;
}

export interface ListQuery extends ReadOptions {
  readonly filter?: string;
  /** Index paging (1-based). Ignored when `cursor` is set. */
  readonly startIndex?: number;
  /** Already clamped by the caller (core `normalizePaging`). */
  readonly count: number;
  /** RFC 9865 cursor ('' = first page of cursor paging). */
  readonly cursor?: string;
}

/** A single resource answer: the projected SCIM JSON plus what the HTTP edge needs for headers. */
export interface ResourceResult {
  readonly resource: ScimResource;
  readonly id: string;
  readonly version: number;
  readonly etag: string;
  /** Member ids a group write skipped because the connector has no such user or group (`unknownMembers: ignore`). */
  readonly ignoredMembers?: readonly string[];
}

/** The written resource plus the unknown member ids skipped on the way. */
interface Written {
  readonly r: StoredResource;
  readonly ignored?: readonly string[];
}

function written(w: { group: StoredResource; result: { ignored: string[] } }): Written {
  return w.result.ignored.length > 0 ? { r: w.group, ignored: w.result.ignored } : { r: w.group };
}

function withIgnored(result: ResourceResult, w: Written): ResourceResult {
  return w.ignored ? { ...result, ignoredMembers: w.ignored } : result;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Storage failures become SCIM errors here, once; programming errors pass to the HTTP edge's 500. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isScimError(e) || isStorageError(e)) throw toScimError(e);
    throw e;
  }
}

function endpoint(kind: ResourceKind): string {
  return kind === 'User' ? 'Users' : 'Groups';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `members` of a normalised group body → refs, deduplicated by value (the last one wins). */
function groupMembers(attrs: ScimResource): MemberRef[] {
  if (!Array.isArray(attrs.members)) return [];
  return [...new Map(memberRefs(attrs.members).map((m) => [m.value, m])).values()];
}

export class Provisioning {
  readonly users: ResourceService;
  readonly groups: ResourceService;

  constructor(o: ProvisioningOptions) {
    this.users = new ResourceService(o, 'User');
    this.groups = new ResourceService(o, 'Group');
  }
}

export class ResourceService {
  private readonly store: ScimStore;
  private readonly retries: number;
  private readonly maxMembers: number;

  constructor(
    private readonly o: ProvisioningOptions,
    readonly kind: ResourceKind,
  ) {
    this.store = o.store;
    this.retries = o.conflictRetries ?? 12;
    this.maxMembers = o.maxMembersReturned ?? MAX_MEMBERS_PER_RESPONSE;
  }

  /** The resource schema, after checking the connector offers this resource type (404 otherwise). */
  private rs(connector: string): ResourceSchema {
    const p = this.o.profile?.(connector);
    if (p && !p.offers(this.kind)) throw ScimError.notFound(`This connector does not offer ${endpoint(this.kind)}`);
    const s = this.o.schemas(connector);
    return this.kind === 'User' ? s.user : s.group;
  }

  /** The profile's rules on a normalised write (`current`: stored attributes of an update). */
  private rules(connector: string, rs: ResourceSchema, attrs: ScimResource, current?: StoredResource): ScimResource {
    const p = this.o.profile?.(connector);
    return p ? applyRules(rs, p.rules[this.kind], attrs, current?.attributes) : attrs;
  }

  /**
   * A user write under `deactivation: 'delete'` that leaves the user inactive: deletes the account
   * instead (conditional on the version read) and returns what would have been written.
   */
  private async removeIfDeactivated(connector: string, current: StoredResource, attrs: ScimResource): Promise<StoredResource | undefined> {
    if (this.kind !== 'User' || attrs.active !== false || this.o.profile?.(connector)?.deactivation !== 'delete') return undefined;
    await this.store.repo.delete(connector, current);
    return { ...current, version: current.version + 1, lastModified: new Date().toISOString(), attributes: stripServer(attrs) };
  }

  private notFound(id: string): ScimError {
    return ScimError.notFound(`${this.kind} ${JSON.stringify(id)} not found`);
  }

  private async load(connector: string, id: string): Promise<StoredResource> {
    const r = await this.store.repo.get(connector, this.kind, id);
    if (!r) throw this.notFound(id);
    return r;
  }

  /**
   * Stored resource → projected SCIM JSON, reading derived data only when the projection keeps it.
   * `written`: the answer to a write that is done, so a group over the member budget is answered
   * without `members` instead of an error that would make the client repeat the write.
   */
  private async render(connector: string, r: StoredResource, opts: ReadOptions, derived: 'auto' | 'explicit' = 'auto', written = false): Promise<ResourceResult> {
    const rs = this.rs(connector);
    const view = scimView(r);
    const base = opts.baseUrl?.replace(/\/+$/, '');
    if (base) (view.meta as Record<string, unknown>).location = `${base}/${endpoint(this.kind)}/${encodeURIComponent(r.id)}`;
    const attr = this.kind === 'User' ? 'groups' : 'members';
    const explicit = opts.attributes !== undefined && opts.attributes.length > 0;
    if ((derived === 'auto' || explicit) && wantsAttribute(rs, attr, opts)) {
      if (this.kind === 'User') {
        const groups = await this.store.repo.groupsOf(connector, r.id);
        if (groups.length > 0)
          view.groups = groups.map((g) => ({ ...g, type: 'direct', ...(base ? { $ref: `${base}/Groups/${encodeURIComponent(g.value)}` } : {}) }));
      } else if ((r.memberCount ?? 0) > this.maxMembers) {
        if (!written) throw new ScimError(400, 'tooMany', `group has ${r.memberCount} members, more than ${this.maxMembers} can be returned inline; use excludedAttributes=members`);
      } else {
        const members = r.memberCount === 0 ? [] : await this.store.repo.members(connector, r.id, { max: this.maxMembers });
        if (members.length > 0)
          view.members = members.map((m) => ({
            ...m,
            ...(base ? { $ref: `${base}/${m.type === 'Group' ? 'Groups' : 'Users'}/${encodeURIComponent(m.value)}` } : {}),
          }));
      }
    }
    return { resource: project(rs, view, opts), id: r.id, version: r.version, etag: etagFor(r.version) };
  }

  private checkIfMatch(current: StoredResource, ifMatch: string | undefined): void {
    if (ifMatch !== undefined && !etagMatches(ifMatch, current.version))
      throw ScimError.preconditionFailed(`${this.kind} ${current.id} has changed: If-Match does not match version ${etagFor(current.version)}`);
  }

  /** Read-modify-write with optimistic concurrency: retried without If-Match, 412 with it. */
  private async withRetry<T>(connector: string, id: string, ifMatch: string | undefined, step: (current: StoredResource, versioned: boolean) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.load(connector, id);
      this.checkIfMatch(current, ifMatch);
      try {
        return await step(current, ifMatch !== undefined);
      } catch (e) {
        if (!isStorageError(e, 'versionConflict')) throw e;
        if (ifMatch !== undefined) throw ScimError.preconditionFailed(`${this.kind} ${id} was modified concurrently`);
        if (attempt >= this.retries) throw new ScimError(409, undefined, `${this.kind} ${id} is being modified concurrently; retry`);
        await sleep(Math.random() * Math.min(500, 10 * 2 ** attempt));
      }
    }
  }

  // ------------------------------------------------------------------ use cases

  async create(connector: string, body: unknown, opts: ReadOptions = {}): Promise<ResourceResult> {
    return guarded(async () => {
      const rs = this.rs(connector);
      const attrs = this.rules(connector, rs, normalizeResource(rs, body));
      if (this.kind === 'User') {
        const r = await this.store.repo.createUser(connector, attrs);
        return this.render(connector, r, opts, 'explicit', true);
      }
      const w = written(await this.store.repo.createGroup(connector, attrs, groupMembers(attrs)));
      return withIgnored(await this.render(connector, w.r, opts, 'auto', true), w);
    });
  }

  async get(connector: string, id: string, opts: ReadOptions = {}): Promise<ResourceResult> {
    return guarded(async () => this.render(connector, await this.load(connector, id), opts));
  }

  /** PUT: the body replaces all client-writable attributes (and, for groups, the member list). */
  async replace(connector: string, id: string, body: unknown, opts: WriteOptions = {}): Promise<ResourceResult> {
    return guarded(async () => {
      const rs = this.rs(connector);
      const sent = normalizeResource(rs, body);
      const w = await this.withRetry(connector, id, opts.ifMatch, async (current): Promise<Written> => {
        const attrs = this.rules(connector, rs, sent, current);
        if (this.kind === 'User') return { r: (await this.removeIfDeactivated(connector, current, attrs)) ?? (await this.store.repo.replace(connector, current, attrs)) };
        return written(await this.store.repo.replaceMembers(connector, current, attrs, groupMembers(attrs), { versioned: true }));
      });
      // Okta's AIW PUT answer is read back as the group: members are `returned: default` (RFC 7643 §4.2).
      return withIgnored(await this.render(connector, w.r, opts, this.kind === 'Group' ? 'auto' : 'explicit', true), w);
    });
  }

  /** PATCH (RFC 7644 §3.5.2). Group member operations become item writes, never a list rewrite. */
  async patch(connector: string, id: string, body: unknown, opts: WriteOptions = {}): Promise<ResourceResult> {
    return guarded(async () => {
      const rs = this.rs(connector);
      const ops: PatchOperation[] = Array.isArray(body) ? (body as PatchOperation[]) : parsePatchRequest(body);
      const w = await this.withRetry(connector, id, opts.ifMatch, async (current, ifMatched): Promise<Written> => {
        if (this.kind === 'User') {
          const next = applyPatch(rs, scimView(current), ops);
          const attrs = this.rules(connector, rs, normalizeResource(rs, next), current);
          const removed = await this.removeIfDeactivated(connector, current, attrs);
          if (removed) return { r: removed };
          if (sameJson(stripServer(attrs), stripServer(current.attributes))) return { r: current };
          return { r: await this.store.repo.replace(connector, current, attrs) };
        }
        const plan = planGroupPatch(rs, ops);
        let attrs: ScimResource | undefined;
        if (plan.attributeOps.length > 0) {
          const next = this.rules(connector, rs, normalizeResource(rs, applyPatch(rs, scimView(current), plan.attributeOps)), current);
          if (!sameJson(stripServer(next), stripServer(current.attributes))) attrs = next;
        }
        const m = plan.members;
        const versioned = ifMatched || attrs !== undefined;
        // Replacing the whole list diffs against a read of the members: only valid for the version read.
        if (m?.replaceAll) return written(await this.store.repo.replaceMembers(connector, current, attrs, [...m.add.values()], { versioned: true }));
        if (!attrs && (!m || (m.add.size === 0 && m.remove.size === 0))) return { r: current };
        return written(await this.store.repo.writeGroup(connector, current, attrs, { add: [...(m?.add.values() ?? [])], remove: [...(m?.remove ?? [])] }, { versioned }));
      });
      return withIgnored(await this.render(connector, w.r, opts, 'explicit', true), w);
    });
  }

  async delete(connector: string, id: string, opts: { ifMatch?: string } = {}): Promise<void> {
    return guarded(async () => {
      try {
        await this.withRetry(connector, id, opts.ifMatch, async (current) => {
          await this.store.repo.delete(connector, current);
        });
      } catch (e) {
        // Gone already: a retried DELETE whose first attempt committed but failed in the membership
        // clean-up (503). Finish that clean-up (one GetItem when there is none), then answer 404.
        if (isScimError(e) && e.status === 404) await this.store.repo.resumePurge(connector, this.kind, id);
        throw e;
      }
    });
  }

  /** GET /Users?filter=…, index or cursor paging. */
  async list(connector: string, q: ListQuery): Promise<ListResponse<ScimResource>> {
    return guarded(async () => {
      const rs = this.rs(connector);
      let filter: Filter | undefined;
      if (q.filter !== undefined && q.filter.trim() !== '') filter = parseFilter(q.filter);
      const cursorPaging = q.cursor !== undefined;
      const r = await this.store.list(connector, this.kind, {
        count: q.count,
        ...(filter ? { filter, evaluate: (f: Filter, res: ScimResource) => matchesFilter(f, res, rs), query: printFilter(filter) } : {}),
        ...(cursorPaging ? { cursor: q.cursor } : { startIndex: q.startIndex ?? 1 }),
      });
      // Groups carry `members` unless excluded: Okta imports memberships from group pages (scim-clients.md
      // §2.5) while Entra always sends excludedAttributes=members. A user's derived `groups` is read
      // only when named, so a user page stays O(page). Rendered a few at a time, not one by one.
      const derived = this.kind === 'Group' ? 'auto' : 'explicit';
      if (this.kind === 'Group' && wantsAttribute(rs, 'members', q)) {
        const members = r.items.reduce((n, g) => n + (g.memberCount ?? 0), 0);
        if (members > this.maxMembers)
          throw new ScimError(
            400,
            'tooMany',
            `these ${r.items.length} groups have ${members} members together, more than ${this.maxMembers} one response can carry; request a smaller count or excludedAttributes=members`,
          );
      }
      const resources: ScimResource[] = new Array(r.items.length);
      const LIST_RENDER_CONCURRENCY = 8;
      for (let i = 0; i < r.items.length; i += LIST_RENDER_CONCURRENCY) {
        const batch = r.items.slice(i, i + LIST_RENDER_CONCURRENCY);
        const rendered = await Promise.all(batch.map((item) => this.render(connector, item, q, derived)));
        rendered.forEach((x, j) => (resources[i + j] = x.resource));
      }
      return listResponse({
        resources,
        totalResults: r.totalResults,
        ...(cursorPaging ? {} : { startIndex: q.startIndex ?? 1 }),
        nextCursor: cursorPaging ? r.nextCursor : undefined,
      });
    });
  }

  /**
   * Resumes the membership clean-up of a deleted resource (a group's member items, a member's
   * edges into groups), at most `maxItems` per call; re-run until `done` (see `pendingPurges`).
   */
  async purgeDeleted(connector: string, groupId: string, opts: { maxItems?: number } = {}): Promise<{ deleted: number; done: boolean }> {
    return guarded(() => this.store.repo.purge(connector, this.kind, groupId, opts));
  }
}

/** Attributes the comparison for "did the PATCH change anything" must ignore. */
function stripServer(attrs: ScimResource): ScimResource {
  const { id: _i, meta: _m, password: _p, members: _mem, groups: _g, ...rest } = attrs as Record<string, unknown>;
  return rest as ScimResource;
}

/** Deleted resources whose membership clean-up has not finished (for a sweeper). */
export async function pendingPurges(store: ScimStore, connector: string): Promise<{ kind: ResourceKind; id: string }[]> {
  return guarded(() => store.repo.pendingPurges(connector));
}

export { StorageError };
