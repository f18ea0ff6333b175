/**
 * Attribute projection for responses (RFC 7644 §3.4.2.5, §3.9) driven by the `returned`
 * characteristic (RFC 7643 §2.2, §7):
 *  - `always` (id, schemas) is always present, even when excluded or not asked for;
 *  - `never` (password) is never present;
 *  - `request` only when named in `attributes`;
 *  - `default` unless `attributes` is given without it, or `excludedAttributes` names it.
 * Names are case-insensitive and may be URN-qualified (`urn:…:enterprise:2.0:User:manager`) or a
 * whole extension URN; `name.givenName` / `emails.value` select or exclude sub-attributes.
 * When both parameters are given both are honoured (RFC 7644 does not forbid it): first the
 * `attributes` selection, then the exclusions. Unknown names match nothing (no error).
 * Output uses canonical names; attributes unknown to the schema are dropped; an extension object
 * left empty is removed and its URN dropped from `schemas`.
 * `wantsAttribute` lets the store skip reading data that will be projected away (e.g. group
 * `members` with `excludedAttributes=members`, or `attributes=id`: scim-clients.md §4 #16, #26).
 */
import type { AttrPath } from './filter/ast.js';
import { isPlainObject } from './normalize.js';
import { splitAttrPath } from './schema/attr-path.js';
import { findSubAttribute, type ResourceSchema } from './schema/resource-schema.js';
import type { AttributeDefinition, SchemaDefinition, ScimResource } from './schema/types.js';

export interface ProjectionOptions {
  /** Parsed list, or the raw comma-separated query parameter. */
  readonly attributes?: readonly AttrPath[] | string | undefined;
  readonly excludedAttributes?: readonly AttrPath[] | string | undefined;
}

/** `"userName, name.givenName,urn:…:User:department"` → paths. Empty or absent → `[]`. */
export function parseAttributeList(text: string | undefined): AttrPath[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(splitAttrPath);
}

interface Selection {
  readonly schemas: Set<SchemaDefinition>;
  readonly attrs: Set<AttributeDefinition>;
  readonly subs: Map<AttributeDefinition, Set<AttributeDefinition>>;
}

function emptySelection(): Selection {
  return { schemas: new Set(), attrs: new Set(), subs: new Map() };
}

function compileList(rs: ResourceSchema, list: readonly AttrPath[]): Selection {
  const sel = emptySelection();
  for (const p of list) {
    // A whole schema URN splits as uri=`urn:…:2.0`, attr=`User`: try the joined text as a URN first.
    if (p.uri !== undefined && p.subAttr === undefined) {
      const whole = rs.resolveUrn(`${p.uri}:${p.attr}`);
      if (whole) {
        sel.schemas.add(whole);
        continue;
      }
    }
    const r = rs.resolve(p);
    if (!r) continue;
    if (r.subAttribute) {
      let s = sel.subs.get(r.attribute);
      if (!s) sel.subs.set(r.attribute, (s = new Set()));
      s.add(r.subAttribute);
    } else {
      sel.attrs.add(r.attribute);
    }
  }
  return sel;
}

function toList(v: readonly AttrPath[] | string | undefined): readonly AttrPath[] {
  return typeof v === 'string' ? parseAttributeList(v) : (v ?? []);
}

/** How one top-level attribute is projected: not at all, or with a sub-attribute rule. */
type Decision =
  | { readonly include: false }
  | { readonly include: true; readonly only?: Set<AttributeDefinition>; readonly drop?: Set<AttributeDefinition> };

const EXCLUDED: Decision = { include: false };

class CompiledProjection {
  private readonly selected: Selection | undefined;
  private readonly excluded: Selection;

  constructor(
    private readonly rs: ResourceSchema,
    opts: ProjectionOptions,
  ) {
    const attributes = toList(opts.attributes);
    this.selected = attributes.length > 0 ? compileList(rs, attributes) : undefined;
    this.excluded = compileList(rs, toList(opts.excludedAttributes));
  }

  decide(schema: SchemaDefinition, a: AttributeDefinition): Decision {
    if (a.returned === 'never') return EXCLUDED;
    if (a.returned === 'always') return { include: true };
    let only: Set<AttributeDefinition> | undefined;
    if (this.selected) {
      const named = this.selected.attrs.has(a);
      const subs = this.selected.subs.get(a);
      const viaSchema = this.selected.schemas.has(schema) && a.returned !== 'request';
      if (!named && !viaSchema) {
        if (!subs) return EXCLUDED;
        only = subs;
      }
    } else if (a.returned === 'request') {
      return EXCLUDED;
    }
    if (this.excluded.attrs.has(a) || this.excluded.schemas.has(schema)) return EXCLUDED;
    const drop = this.excluded.subs.get(a);
    return { include: true, ...(only ? { only } : {}), ...(drop ? { drop } : {}) };
  }

  private keepSub(sub: AttributeDefinition, d: Decision & { include: true }): boolean {
    if (sub.returned === 'never') return false;
    if (sub.returned === 'always') return true;
    if (d.only) return d.only.has(sub);
    if (sub.returned === 'request') return false;
    return !d.drop?.has(sub);
  }

  private projectObject(a: AttributeDefinition, v: Record<string, unknown>, d: Decision & { include: true }): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    for (const [k, sv] of Object.entries(v)) {
      const sub = findSubAttribute(a, k);
      if (!sub || sv === undefined || sv === null || !this.keepSub(sub, d)) continue;
      out[sub.name] = sv;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private projectValue(a: AttributeDefinition, v: unknown, d: Decision & { include: true }): unknown {
    if (v === undefined || v === null) return undefined;
    if (a.type !== 'complex') return v;
    if (Array.isArray(v)) {
      const items = v
        .map((el) => (isPlainObject(el) ? this.projectObject(a, el, d) : undefined))
        .filter((el) => el !== undefined);
      return items.length > 0 ? items : undefined;
    }
    return isPlainObject(v) ? this.projectObject(a, v, d) : undefined;
  }

  /** Copies the top-level attributes of `schema` found in `source` into `target`. */
  private projectInto(schema: SchemaDefinition, source: Record<string, unknown>, target: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(source)) {
      const a = this.rs.findAttribute(schema, k);
      if (!a) continue;
      const d = this.decide(schema, a);
      if (!d.include) continue;
      const pv = this.projectValue(a, v, d);
      if (pv !== undefined) target[a.name] = pv;
    }
  }

  project(resource: ScimResource): ScimResource {
    const schemas: string[] = [this.rs.core.id];
    const out: ScimResource = { schemas };
    const core: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(resource)) {
      if (k === 'schemas') continue;
      const ext = /^urn:/i.test(k) ? this.rs.resolveUrn(k) : undefined;
      if (ext && ext !== this.rs.core) {
        if (!isPlainObject(v)) continue;
        const projected: Record<string, unknown> = {};
        this.projectInto(ext, v, projected);
        if (Object.keys(projected).length === 0) continue;
        out[ext.id] = projected;
        schemas.push(ext.id);
      } else if (!ext) {
        core[k] = v;
      }
    }
    const projectedCore: Record<string, unknown> = {};
    this.projectInto(this.rs.core, core, projectedCore);
    // Core attributes first (id leading, as clients and logs expect), then extension objects.
    const ordered: ScimResource = { schemas, ...projectedCore };
    for (const [k, v] of Object.entries(out)) if (k !== 'schemas') ordered[k] = v;
    return ordered;
  }

  wants(path: AttrPath): boolean {
    const r = this.rs.resolve(path);
    if (!r) return false;
    const d = this.decide(r.schema, r.attribute);
    if (!d.include) return false;
    return !r.subAttribute || this.keepSub(r.subAttribute, d);
  }
}

/** Projects one resource. For lists, `projector` compiles the options once. */
export function project(rs: ResourceSchema, resource: ScimResource, opts: ProjectionOptions = {}): ScimResource {
  return new CompiledProjection(rs, opts).project(resource);
}

/** A reusable projection function for many resources with the same options. */
export function projector(rs: ResourceSchema, opts: ProjectionOptions = {}): (resource: ScimResource) => ScimResource {
  const c = new CompiledProjection(rs, opts);
  return (resource) => c.project(resource);
}

/**
 * Whether the projection keeps any part of `attr` (`'members'`, `'urn:…:User:manager'`, or a
 * path). Lets the store avoid reading group members that would be projected away.
 */
export function wantsAttribute(rs: ResourceSchema, attr: string | AttrPath, opts: ProjectionOptions = {}): boolean {
  return new CompiledProjection(rs, opts).wants(typeof attr === 'string' ? splitAttrPath(attr) : attr);
}
