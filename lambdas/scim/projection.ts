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
 * Value filters (the valuePath syntax of RFC 7644 §3.4.2.2; §3.4.2.5 only speaks of attribute
 * names) narrow a multi-valued complex attribute to its elements matching the filter, evaluated
 * per element by the filter evaluator with the schema's caseExact rules (RFC 7643 §2.2):
 *  - `attributes=emails[type eq "work"]` returns only the matching elements (their default
 *    sub-attributes), `emails[type eq "work"].value` only their `value`; no match → no `emails`;
 *  - `excludedAttributes=emails[type eq "work"]` removes the matching elements (others stay),
 *    `emails[type eq "work"].value` removes `value` from the matching elements only;
 *  - a filter on an attribute that is not multi-valued and complex, or text that does not parse,
 *    is an unknown name (ignored). Commas inside `[…]` and quotes do not split the list.
 * Output uses canonical names; attributes unknown to the schema are dropped; an extension object
 * left empty is removed and its URN dropped from `schemas`.
 * `wantsAttribute` lets the store skip reading data that will be projected away (e.g. group
 * `members` with `excludedAttributes=members`, or `attributes=id`: scim-clients.md §4 #16, #26).
 */
import { isScimError } from './errors.js';
import type { AttrPath, Filter } from './filter/ast.js';
import { compileElementFilter } from './filter/evaluate.js';
import { parsePathExpression } from './filter/parse.js';
import { isPlainObject } from './normalize.js';
import { splitAttrPath } from './schema/attr-path.js';
import { findSubAttribute, type ResourceSchema } from './schema/resource-schema.js';
import type { AttributeDefinition, SchemaDefinition, ScimResource } from './schema/types.js';

/** One `attributes`/`excludedAttributes` entry; `filter` for `emails[type eq "work"][.value]`. */
export interface AttributeSelector extends AttrPath {
  readonly filter?: Filter;
}

export interface ProjectionOptions {
  /** Parsed list, or the raw comma-separated query parameter. */
  readonly attributes?: readonly AttributeSelector[] | string | undefined;
  readonly excludedAttributes?: readonly AttributeSelector[] | string | undefined;
}

/**
 * Splits the list on commas outside `[…]` and outside quoted strings within them, so
 * `emails[type eq "a,b"]` stays one entry. An unclosed bracket or string would swallow the rest
 * of the list: its segment is split on every comma instead, so the names after it still count.
 */
function splitList(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escape (JSON string, RFC 7644 §3.4.2.2)
      else if (c === 34) inString = false;
    } else if (c === 91) depth++;
    else if (c === 93) depth = Math.max(0, depth - 1);
    else if (c === 34 && depth > 0) inString = true;
    else if (c === 44 && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  const tail = text.slice(from);
  if (depth > 0 || inString) out.push(...tail.split(','));
  else out.push(tail);
  return out;
}

/** `emails[type eq "work"].value` → selector; unparsable text → a name that resolves to nothing. */
function parseEntry(text: string): AttributeSelector {
  if (!text.includes('[')) return splitAttrPath(text);
  try {
    const p = parsePathExpression(text, 'invalidFilter');
    const base: AttrPath = p.attrPath;
    if (!p.filter) return base;
    return { ...base, ...(p.subAttr !== undefined ? { subAttr: p.subAttr } : {}), filter: p.filter };
  } catch (e) {
    if (!isScimError(e)) throw e;
    // `[` never occurs in an attribute name, so this matches nothing, like any unknown name.
    return { attr: text };
  }
}

/**
 * `"userName, name.givenName,urn:…:User:department,emails[type eq \"work\"].value"` → selectors.
 * Empty or absent → `[]`.
 */
export function parseAttributeList(text: string | undefined): AttributeSelector[] {
  if (text === undefined) return [];
  return splitList(text)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseEntry);
}

/** A value-filtered entry: which elements it applies to, and the sub-attribute it names, if any. */
interface ElementRule {
  readonly matches: (element: unknown) => boolean;
  readonly sub?: AttributeDefinition;
}

interface Selection {
  readonly schemas: Set<SchemaDefinition>;
  readonly attrs: Set<AttributeDefinition>;
  readonly subs: Map<AttributeDefinition, Set<AttributeDefinition>>;
  readonly filtered: Map<AttributeDefinition, ElementRule[]>;
}

function emptySelection(): Selection {
  return { schemas: new Set(), attrs: new Set(), subs: new Map(), filtered: new Map() };
}

/** The rule of `attr[filter][.sub]`, or undefined when it is to be ignored as an unknown name. */
function compileRule(rs: ResourceSchema, p: AttributeSelector, filter: Filter): { attribute: AttributeDefinition; rule: ElementRule } | undefined {
  const r = rs.resolve(p.uri !== undefined ? { uri: p.uri, attr: p.attr } : { attr: p.attr });
  // Value filters select elements of a multi-valued complex attribute (RFC 7644 §3.4.2.2).
  if (!r || !r.attribute.multiValued || r.attribute.type !== 'complex') return undefined;
  const sub = p.subAttr === undefined ? undefined : findSubAttribute(r.attribute, p.subAttr);
  if (p.subAttr !== undefined && !sub) return undefined;
  try {
    // The evaluator of `filter`, per element, with the sub-attributes' caseExact (RFC 7643 §2.2).
    const matches = compileElementFilter(filter, r.attribute);
    return { attribute: r.attribute, rule: sub ? { matches, sub } : { matches } };
  } catch (e) {
    if (!isScimError(e)) throw e;
    return undefined; // operand type errors (`emails[primary gt 1]`): a name we cannot use
  }
}

function compileList(rs: ResourceSchema, list: readonly AttributeSelector[]): Selection {
  const sel = emptySelection();
  for (const p of list) {
    if (p.filter) {
      const c = compileRule(rs, p, p.filter);
      if (!c) continue;
      let rules = sel.filtered.get(c.attribute);
      if (!rules) sel.filtered.set(c.attribute, (rules = []));
      rules.push(c.rule);
      continue;
    }
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

function toList(v: readonly AttributeSelector[] | string | undefined): readonly AttributeSelector[] {
  return typeof v === 'string' ? parseAttributeList(v) : (v ?? []);
}

/** Which sub-attributes of one complex value are kept. */
interface SubRule {
  /** From `attributes`: only these (else every sub-attribute returned by default). */
  readonly only?: ReadonlySet<AttributeDefinition> | undefined;
  /** From `excludedAttributes`, applied after `only`. */
  readonly drop?: ReadonlySet<AttributeDefinition> | undefined;
}

/**
 * How one top-level attribute is projected: not at all, or with a sub-attribute rule for all its
 * values, refined per element by value-filtered entries (`pick` adds, `remove` takes away).
 */
type Decision =
  | { readonly include: false }
  | (SubRule & { readonly include: true; readonly pick?: readonly ElementRule[]; readonly remove?: readonly ElementRule[] });
type Included = Decision & { include: true };

const EXCLUDED: Decision = { include: false };
const INCLUDED: Decision = { include: true };
const NOTHING: ReadonlySet<AttributeDefinition> = new Set();

function keepSub(sub: AttributeDefinition, r: SubRule): boolean {
  if (sub.returned === 'never') return false;
  if (sub.returned === 'always') return true;
  // A named returned:request sub-attribute is returned (RFC 7643 §2.2); unnamed, it is not.
  if (r.only ? !r.only.has(sub) : sub.returned === 'request') return false;
  return !r.drop?.has(sub);
}

/** The sub-attribute rule for one element, or undefined when the element is left out. */
function elementRule(el: unknown, d: Included): SubRule | undefined {
  let only = d.only;
  if (only && d.pick) {
    let added: Set<AttributeDefinition> | undefined;
    for (const r of d.pick) {
      if (!r.matches(el)) continue;
      if (!r.sub) {
        only = undefined; // `emails[type eq "work"]`: the whole element, as if `emails` were named
        break;
      }
      (added ??= new Set(only)).add(r.sub);
    }
    if (only && added) only = added;
  }
  let drop = d.drop;
  if (d.remove) {
    let removed: Set<AttributeDefinition> | undefined;
    for (const r of d.remove) {
      if (!r.matches(el)) continue;
      if (!r.sub) return undefined; // `excludedAttributes=emails[type eq "work"]`: the element goes
      (removed ??= new Set(drop)).add(r.sub);
    }
    if (removed) drop = removed;
  }
  return { only, drop };
}

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
    // returned:always ignores both parameters, value filters included (RFC 7643 §2.2).
    if (a.returned === 'always') return INCLUDED;
    let only: ReadonlySet<AttributeDefinition> | undefined;
    let pick: readonly ElementRule[] | undefined;
    if (this.selected) {
      const named = this.selected.attrs.has(a);
      const viaSchema = this.selected.schemas.has(schema) && a.returned !== 'request';
      if (!named && !viaSchema) {
        const subs = this.selected.subs.get(a);
        pick = this.selected.filtered.get(a);
        if (!subs && !pick) return EXCLUDED;
        only = subs ?? NOTHING; // narrowed: an element not picked by a filter keeps only `subs`
      }
    } else if (a.returned === 'request') {
      return EXCLUDED;
    }
    if (this.excluded.attrs.has(a) || this.excluded.schemas.has(schema)) return EXCLUDED;
    const drop = this.excluded.subs.get(a);
    const remove = this.excluded.filtered.get(a);
    if (!only && !drop && !remove) return INCLUDED;
    return { include: true, only, drop, ...(pick ? { pick } : {}), ...(remove ? { remove } : {}) };
  }

  private projectObject(a: AttributeDefinition, v: Record<string, unknown>, r: SubRule): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    for (const [k, sv] of Object.entries(v)) {
      const sub = findSubAttribute(a, k);
      if (!sub || sv === undefined || sv === null || !keepSub(sub, r)) continue;
      out[sub.name] = sv;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private projectElement(a: AttributeDefinition, el: unknown, d: Included): Record<string, unknown> | undefined {
    if (!isPlainObject(el)) return undefined;
    // Value filters only exist for multi-valued complex attributes (compileRule), so this is per element.
    const r = d.pick || d.remove ? elementRule(el, d) : d;
    return r ? this.projectObject(a, el, r) : undefined;
  }

  private projectValue(a: AttributeDefinition, v: unknown, d: Included): unknown {
    if (v === undefined || v === null) return undefined;
    if (a.type !== 'complex') return v;
    if (Array.isArray(v)) {
      const items: Record<string, unknown>[] = [];
      for (const el of v) {
        const p = this.projectElement(a, el, d);
        if (p !== undefined) items.push(p);
      }
      // No element left (e.g. none matched the filter): the attribute is absent.
      return items.length > 0 ? items : undefined;
    }
    return this.projectElement(a, v, d);
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

  /** Conservative: true when some element may keep part of `path` (filters are not evaluated here). */
  wants(path: AttrPath): boolean {
    const r = this.rs.resolve(path);
    if (!r) return false;
    const d = this.decide(r.schema, r.attribute);
    if (!d.include) return false;
    const sub = r.subAttribute;
    if (!sub || keepSub(sub, d)) return true;
    if (!d.pick || d.drop?.has(sub) || sub.returned === 'never') return false;
    return d.pick.some((p) => (p.sub ? p.sub === sub : sub.returned !== 'request'));
  }
}

/**
 * Compiled projections by the raw parameter strings, per resource type. `project` runs once per
 * resource of a list page with the same options: without this every call would re-parse the
 * parameters and recompile their filters. Bounded, so distinct hostile strings cannot grow it.
 */
const compiledCache = new WeakMap<ResourceSchema, Map<string, CompiledProjection>>();
const COMPILED_CACHE_MAX = 64;

function compiled(rs: ResourceSchema, opts: ProjectionOptions): CompiledProjection {
  const { attributes: a = '', excludedAttributes: e = '' } = opts;
  if (typeof a !== 'string' || typeof e !== 'string') return new CompiledProjection(rs, opts);
  const key = `${a.length}:${a}${e}`; // length prefix: unambiguous for any pair of strings
  let byKey = compiledCache.get(rs);
  if (!byKey) compiledCache.set(rs, (byKey = new Map()));
  let c = byKey.get(key);
  if (!c) {
    c = new CompiledProjection(rs, opts);
    if (byKey.size >= COMPILED_CACHE_MAX) byKey.delete(byKey.keys().next().value as string);
    byKey.set(key, c);
  }
  return c;
}

/** Projects one resource (the compiled options are cached by their raw text). */
export function project(rs: ResourceSchema, resource: ScimResource, opts: ProjectionOptions = {}): ScimResource {
  return compiled(rs, opts).project(resource);
}

/** A reusable projection function for many resources with the same options. */
export function projector(rs: ResourceSchema, opts: ProjectionOptions = {}): (resource: ScimResource) => ScimResource {
  const c = compiled(rs, opts);
  return (resource) => c.project(resource);
}

/**
 * Whether the projection keeps any part of `attr` (`'members'`, `'urn:…:User:manager'`, or a
 * path). Lets the store avoid reading group members that would be projected away.
 */
export function wantsAttribute(rs: ResourceSchema, attr: string | AttrPath, opts: ProjectionOptions = {}): boolean {
  return compiled(rs, opts).wants(typeof attr === 'string' ? splitAttrPath(attr) : attr);
}
