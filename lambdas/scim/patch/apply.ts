/**
 * PATCH applied to a whole resource document (RFC 7644 §3.5.2): users, and group attributes other
 * than the member list (planGroupPatch in members.ts turns member operations into set changes so a
 * large group is never loaded). Returns a new document; the input is never mutated.
 *
 * Client-driven decisions (scim-clients.md §1.6, §2.7, §2.9, §4):
 *  - a path-less add/replace is a set of (path, value) pairs: its keys are attribute PATHS, so
 *    Okta's `{"active": false}` and Entra's flag-mode `{"name.givenName": …, "urn:…:User:department":
 *    …}` both work; an extension URN key with an object value addresses that extension's attributes;
 *  - values are coerced exactly like POST bodies (normalize.ts `normalizeAttributeValue`): `"False"`
 *    → false, bare manager id → `{value}`, legacy `[{"$ref","value"}]` → `{value, $ref}`;
 *  - `""` and `null` (and `[]` for multi-valued attributes) as a value remove the target (the Entra
 *    validator's null test, §1.6 i); removing something absent is a no-op;
 *  - `attr[filter].sub` / `attr[filter]` with add or replace UPDATES the matching elements and, when
 *    none matches, CREATES one from the filter's `eq` terms (`emails[type eq "work"].value` →
 *    append `{type: "work", value}`), because Entra relies on it (§0 rule 5, §4 #5). Only a
 *    filter without usable `eq` terms (`value co "x"`, `or`) fails with 400 noTarget;
 *  - a remove whose filter matches nothing is a no-op, not noTarget: the result is what the client
 *    asked for, and a 400 would count against Entra's escrow and never succeed on retry;
 *  - attributes the schema does not know (and unparsable path-less keys) are ignored, never 400
 *    (§4 #20); `schemas` (as a path or a path-less key) is ignored: it follows the data;
 *  - readOnly attributes (`id`, `meta`, `groups`) may be "set" to their current value and are then
 *    ignored (Okta's rename carries the group `id`, §4 #21); any change → 400 mutability. An
 *    immutable attribute may be set while it has no value; changing it → 400 mutability;
 *  - removing a required attribute (`userName`, group `displayName`) → 400 invalidValue;
 *  - add to a multi-valued attribute appends, skipping elements equal to an existing one (same
 *    `type` and `value`, which then absorbs the new sub-attributes); replace of a multi-valued
 *    attribute without a filter replaces the whole array (RFC 7644 §3.5.2.3);
 *  - add/replace of a single-valued complex attribute merges the given sub-attributes (RFC 7644
 *    §3.5.2.3), except when its `value` changes (manager): then it is replaced, so a stale
 *    `displayName`/`$ref` of the old manager does not survive;
 *  - an element that gets `primary: true` takes it from every other element (RFC 7643 §2.4).
 */
import { ScimError } from '../errors.js';
import {
  collect,
  eqIgnoreCase,
  findKey,
  isObject,
  isPresent,
  lookup,
  resolveAttribute,
} from '../filter/access.js';
import type { Filter } from '../filter/ast.js';
import { compileElementFilter } from '../filter/evaluate.js';
import { printAttrPath } from '../filter/print.js';
import { normalizeAttributeValue, normalizeElement } from '../normalize.js';
import { findSubAttribute, type ResourceSchema } from '../schema/resource-schema.js';
import type { AttributeDefinition, ResolvedAttribute, SchemaDefinition, ScimResource } from '../schema/types.js';
import { parsePatchPath } from './path.js';
import type { PatchOpName, PatchOperation, PatchPath } from './types.js';

type Json = Record<string, unknown>;

/** No value at all: undefined, null, "", or an array/object holding no value. */
function isAbsentValue(v: unknown): boolean {
  return !isPresent(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function sameValue(a: unknown, b: unknown): boolean {
  const aa = isAbsentValue(a);
  const ba = isAbsentValue(b);
  return aa || ba ? aa && ba : deepEqual(a, b);
}

function invalidValue(detail: string): never {
  throw new ScimError(400, 'invalidValue', detail);
}

/**
 * Copy-on-write: the result is a new top-level object; nested values are replaced, never mutated,
 * except extension objects, which are shallow-copied once before their first change. Unchanged
 * nested values are shared with the input (cheaper than a deep clone on every PATCH).
 */
class Patcher {
  readonly doc: ScimResource;
  private readonly copied = new Set<string>();
  private extKeys: Map<string, string> | undefined;

  constructor(
    private readonly rs: ResourceSchema,
    resource: ScimResource,
  ) {
    // Object.assign, not spread: V8 gives spread copies a map without transitions, which makes
    // adding an extension key ~1 µs.
    this.doc = Object.assign({}, resource);
  }

  // ---- reading and writing one top-level attribute ------------------------------------------

  private label(r: ResolvedAttribute, sub?: AttributeDefinition): string {
    const local = sub ? `${r.attribute.name}.${sub.name}` : r.attribute.name;
    return r.isExtension ? `${r.schema.id}:${local}` : local;
  }

  private container(r: ResolvedAttribute, create: boolean): Json | undefined {
    if (!r.isExtension) return this.doc;
    const key = this.extKey(r.schema.id);
    const existing = key === undefined ? undefined : this.doc[key];
    if (isObject(existing)) {
      if (!create || key === undefined || this.copied.has(key)) return existing;
      const copy = Object.assign({}, existing);
      this.doc[key] = copy;
      this.copied.add(key);
      return copy;
    }
    if (!create) return undefined;
    const fresh: Json = {};
    if (key !== undefined) delete this.doc[key];
    this.doc[r.schema.id] = fresh;
    this.copied.add(r.schema.id);
    return fresh;
  }

  /** The key of an extension object in the document (exact, else case-insensitive). */
  private extKey(id: string): string | undefined {
    if (Object.hasOwn(this.doc, id)) return id;
    if (!this.extKeys) {
      this.extKeys = new Map();
      for (const k of Object.keys(this.doc)) if (k.length > 4 && (k.charCodeAt(0) | 32) === 117) this.extKeys.set(k.toLowerCase(), k);
    }
    const k = this.extKeys.get(id.toLowerCase());
    return k !== undefined && Object.hasOwn(this.doc, k) ? k : undefined;
  }

  private current(r: ResolvedAttribute): unknown {
    return lookup(this.container(r, false), r.attribute.name);
  }

  /**
   * Sets (or, with an absent `next`, removes) the top-level attribute of `r`, after the
   * mutability and required checks. Keeps `schemas` in step with the extensions in use.
   */
  private write(r: ResolvedAttribute, next: unknown): void {
    const def = r.attribute;
    const cur = this.current(r);
    if (sameValue(cur, next)) return; // nothing changes (also: readOnly set to its current value)
    if (def.mutability === 'readOnly') {
      throw new ScimError(400, 'mutability', `Attribute '${this.label(r)}' is readOnly and cannot be changed`);
    } else if (def.mutability === 'immutable' && !isAbsentValue(cur)) {
      throw new ScimError(400, 'mutability', `Attribute '${this.label(r)}' is immutable and already has a value`);
    }
    const absent = isAbsentValue(next);
    if (absent && def.required) invalidValue(`Attribute '${this.label(r)}' is required and cannot be removed`);
    const c = r.isExtension ? this.container(r, true) : this.doc;
    if (!c) return;
    const key = findKey(c, def.name);
    if (key !== undefined && (absent || key !== def.name)) delete c[key];
    if (!absent) c[def.name] = next;
    if (r.isExtension) this.syncExtension(r.schema, c);
  }

  private syncExtension(schema: SchemaDefinition, c: Json): void {
    const schemas = Array.isArray(this.doc.schemas) ? [...this.doc.schemas] : [this.rs.core.id];
    const i = schemas.findIndex((s) => typeof s === 'string' && eqIgnoreCase(s, schema.id));
    if (Object.keys(c).length === 0) {
      const key = this.extKey(schema.id);
      if (key !== undefined) delete this.doc[key];
      if (i >= 0) schemas.splice(i, 1);
    } else if (i < 0) {
      schemas.push(schema.id);
    }
    this.doc.schemas = schemas;
  }

  // ---- operations ----------------------------------------------------------------------------

  apply(op: PatchOperation): void {
    if (op.path) {
      this.applyPath(op.op, op.path, op.value);
      return;
    }
    if (!isObject(op.value)) invalidValue(`"${op.op}" without a "path" needs an object value`);
    this.applyObject(op.op, op.value, undefined);
  }

  /** Path-less value: every key is a path (Entra flag mode) or a schema URN holding an object. */
  private applyObject(op: PatchOpName, value: Json, schema: SchemaDefinition | undefined): void {
    for (const [key, v] of Object.entries(value)) {
      if (eqIgnoreCase(key, 'schemas')) continue;
      if (schema === undefined && key.length > 4 && key.slice(0, 4).toLowerCase() === 'urn:') {
        const whole = this.rs.resolveUrn(key);
        if (whole) {
          this.applyWholeSchema(op, whole, v);
          continue;
        }
      }
      let path: PatchPath;
      try {
        path = parsePatchPath(key);
      } catch {
        continue; // not a path at all: an unknown attribute, ignored (§4 #20)
      }
      if (schema !== undefined) {
        if (path.attrPath.uri !== undefined) continue;
        path = { ...path, attrPath: { ...path.attrPath, uri: schema.id } };
      }
      this.applyPath(op, path, v);
    }
  }

  /** `"urn:…:enterprise:2.0:User": {…}` as a path-less key or as a path. */
  private applyWholeSchema(op: PatchOpName, schema: SchemaDefinition, v: unknown): void {
    const isCore = schema === this.rs.core;
    if (op === 'remove' || isAbsentValue(v)) {
      if (op !== 'remove' && isObject(v)) return; // `{}`: nothing to change
      if (isCore) invalidValue(`The core schema '${schema.id}' cannot be removed`);
      for (const a of schema.attributes) {
        const r = this.rs.resolve({ uri: schema.id, attr: a.name });
        if (r) this.write(r, undefined);
      }
      return;
    }
    if (!isObject(v)) invalidValue(`'${schema.id}' must be an object`);
    this.applyObject(op, v, isCore ? undefined : schema);
  }

  private applyPath(op: PatchOpName, path: PatchPath, value: unknown): void {
    // `schemas` follows the data (extensions in use), so a client's edit of it is ignored.
    if (path.attrPath.uri === undefined && !path.filter && eqIgnoreCase(path.attrPath.attr, 'schemas')) return;
    const r = resolveAttribute(this.rs, path.attrPath);
    if (!r) {
      const ap = path.attrPath;
      if (ap.uri !== undefined && ap.subAttr === undefined && !path.filter) {
        const whole = this.rs.resolveUrn(`${ap.uri}:${ap.attr}`);
        if (whole) this.applyWholeSchema(op, whole, value);
      }
      return; // unknown attribute: ignored (§4 #20)
    }
    if (path.filter) {
      this.applyValuePath(op, r, path.filter, path.subAttr, value);
    } else if (r.subAttribute) {
      this.applySubAttribute(op, r, r.subAttribute, value);
    } else {
      this.applyAttribute(op, r, value);
    }
  }

  /** `userName`, `emails`, `name`, `urn:…:User:manager` (RFC 7644 §3.5.2.1–3). */
  private applyAttribute(op: PatchOpName, r: ResolvedAttribute, value: unknown): void {
    const def = r.attribute;
    const label = this.label(r);
    const cur = this.current(r);
    if (def.mutability === 'readOnly') {
      // Checked on the raw value: normalisation drops readOnly sub-attributes (`groups.value`).
      if (op === 'remove' ? isAbsentValue(cur) : sameValue(cur, value)) return;
      throw new ScimError(400, 'mutability', `Attribute '${label}' is readOnly and cannot be changed`);
    }
    if (op === 'remove') {
      if (value !== undefined && def.multiValued && !isAbsentValue(value)) {
        // Remove only the listed values (Entra's `remove members` with a value, §0 rule 6).
        const gone = collect(normalizeAttributeValue(def, value, label));
        const kept = collect(cur).filter((el) => !gone.some((g) => sameElement(def, el, g)));
        this.write(r, kept);
        return;
      }
      this.write(r, undefined);
      return;
    }
    if (!def.multiValued && def.type === 'complex' && isObject(value)) {
      this.mergeComplex(r, cur, value, label);
      return;
    }
    if (isAbsentValue(value)) {
      if (isObject(value)) return; // `{}`: nothing to change
      this.write(r, undefined);
      return;
    }
    const nv = normalizeAttributeValue(def, value, label);
    if (nv === undefined) return; // only unknown or readOnly sub-attributes: nothing to change
    if (def.multiValued) {
      const incoming = collect(nv);
      if (op === 'replace') {
        this.write(r, incoming);
        return;
      }
      const merged = collect(cur).map((el) => (isObject(el) ? { ...el } : el));
      for (const el of incoming) {
        const same = merged.findIndex((m) => sameElement(def, m, el));
        const existing = same >= 0 ? merged[same] : undefined;
        // The existing element absorbs new sub-attributes (e.g. `primary`) but keeps its `value` spelling.
        if (existing !== undefined && isObject(existing) && isObject(el)) merged[same] = { ...existing, ...withoutKey(el, 'value') };
        else if (same < 0) merged.push(el);
      }
      this.write(r, onePrimary(merged, incoming));
      return;
    }
    if (def.type === 'complex' && isObject(nv)) {
      this.mergeComplex(r, cur, nv, label); // a bare manager id, now `{value}`
      return;
    }
    this.write(r, nv);
  }

  /**
   * add/replace of a single-valued complex attribute with an object: merge the given
   * sub-attributes, clear those given as `""`/`null` (the Entra null test may nest them).
   */
  private mergeComplex(r: ResolvedAttribute, cur: unknown, value: Json, label: string): void {
    const def = r.attribute;
    const clear: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const sub = findSubAttribute(def, k);
      if (sub && sub.mutability !== 'readOnly' && isAbsentValue(v)) clear.push(sub.name);
    }
    const nv = normalizeAttributeValue(def, value, label);
    if (nv !== undefined && !isObject(nv)) invalidValue(`Attribute '${label}' must be an object`);
    if (nv === undefined && clear.length === 0) return;
    let next: Json = isObject(cur) ? { ...cur } : {};
    if (nv && 'value' in nv && !deepEqual(lookup(cur, 'value'), nv.value)) next = {}; // a new manager
    if (nv) for (const [k, v] of Object.entries(nv)) setKey(next, k, v);
    for (const k of clear) next = withoutKey(next, k);
    this.write(r, next);
  }

  /** `name.givenName`, `urn:…:User:manager.value`, `emails.value` (no filter). */
  private applySubAttribute(op: PatchOpName, r: ResolvedAttribute, sub: AttributeDefinition, value: unknown): void {
    const def = r.attribute;
    const label = this.label(r, sub);
    const remove = op === 'remove' || isAbsentValue(value);
    const nv = remove ? undefined : normalizeAttributeValue(sub, value, label);
    if (!remove && nv === undefined) return;
    const cur = this.current(r);
    if (sub.mutability === 'readOnly') {
      const curSub = def.multiValued ? collect(cur).map((el) => lookup(el, sub.name)) : lookup(cur, sub.name);
      if (!collect(curSub).every((c) => sameValue(c, nv))) {
        throw new ScimError(400, 'mutability', `Attribute '${label}' is readOnly and cannot be changed`);
      }
      return;
    }
    if (def.multiValued) {
      // No filter: every element (RFC 7644 §3.5.2 leaves this open; Entra never sends it).
      const els = collect(cur).map((el) => (isObject(el) ? { ...el } : { value: el }));
      if (remove) {
        const kept = els.map((el) => withoutKey(el, sub.name)).filter((el) => keepElement(el, sub));
        this.write(r, kept);
        return;
      }
      if (els.length === 0) els.push({});
      for (const el of els) setKey(el, sub.name, nv);
      this.write(r, sub.name === 'primary' && nv === true ? els.slice(0, 1).concat(els.slice(1).map((e) => withoutKey(e, 'primary'))) : els);
      return;
    }
    const obj: Json = isObject(cur) ? { ...cur } : {};
    if (remove) {
      this.write(r, withoutKey(obj, sub.name));
      return;
    }
    setKey(obj, sub.name, nv);
    this.write(r, obj);
  }

  /** `emails[type eq "work"]`, `emails[type eq "work"].value`, `members[value eq "id"]`. */
  private applyValuePath(
    op: PatchOpName,
    r: ResolvedAttribute,
    filter: Filter,
    subAttr: string | undefined,
    value: unknown,
  ): void {
    const def = r.attribute;
    const where = `${printAttrPath({ ...(r.isExtension ? { uri: r.schema.id } : {}), attr: def.name })}[…]`;
    if (!def.multiValued || def.type !== 'complex') {
      throw new ScimError(400, 'invalidPath', `A value filter needs a multi-valued complex attribute; '${this.label(r)}' is not one`);
    }
    const sub = subAttr === undefined ? undefined : findSubAttribute(def, subAttr);
    if (subAttr !== undefined && !sub) return; // unknown sub-attribute: ignored (§4 #20)
    const matches = compileElementFilter(filter, def);
    const els = collect(this.current(r)).map((el) => (isObject(el) ? { ...el } : { value: el }));
    const hit = els.map((el) => matches(el));
    const remove = op === 'remove' || isAbsentValue(value);

    if (remove) {
      if (!hit.some(Boolean)) return; // nothing to remove: no-op (see module comment)
      const selector = equalityTemplate(filter, def) ?? {};
      const next = sub
        ? els.map((el, i) => (hit[i] ? withoutKey(el, sub.name) : el)).filter((el, i) => !hit[i] || keepElement(el, sub, selector))
        : els.filter((_, i) => !hit[i]);
      this.write(r, next);
      return;
    }

    const label = sub ? `${where}.${sub.name}` : where;
    if (sub) {
      if (sub.mutability === 'readOnly') throw new ScimError(400, 'mutability', `Attribute '${label}' is readOnly`);
      const nv = normalizeAttributeValue(sub, value, label);
      if (nv === undefined) return;
      if (hit.some(Boolean)) {
        for (let i = 0; i < els.length; i++) if (hit[i]) setKey(els[i] as Json, sub.name, nv);
        this.write(r, sub.name === 'primary' && nv === true ? onePrimary(els, els.filter((_, i) => hit[i])) : els);
        return;
      }
      const created = this.upsertElement(def, filter, { [sub.name]: nv }, label);
      this.write(r, onePrimary([...els, created], [created]));
      return;
    }

    const given = Array.isArray(value) ? value.filter((x) => !isAbsentValue(x)) : [value];
    if (given.length !== 1) invalidValue(`'${label}' needs exactly one element as its value`);
    const nv = normalizeElement(def, given[0], label);
    if (!isObject(nv)) return;
    if (hit.some(Boolean)) {
      const template = equalityTemplate(filter, def) ?? {};
      const next = els.map((el, i) => (hit[i] ? (op === 'replace' ? { ...template, ...nv } : { ...el, ...nv }) : el));
      this.write(r, onePrimary(next, nv.primary === true ? next.filter((_, i) => hit[i]) : []));
      return;
    }
    const created = this.upsertElement(def, filter, nv, label);
    this.write(r, onePrimary([...els, created], [created]));
  }

  /** A new element for a valuePath that matched nothing (§4 #5), built from the filter's `eq` terms. */
  private upsertElement(def: AttributeDefinition, filter: Filter, fields: Json, label: string): Json {
    const template = equalityTemplate(filter, def);
    if (!template) {
      throw new ScimError(400, 'noTarget', `No element matches '${label}', and its filter does not say how to create one (use eq terms joined by and)`);
    }
    const el = normalizeElement(def, { ...template, ...fields }, label);
    if (!isObject(el)) invalidValue(`'${label}': cannot create an element from the filter`);
    return el;
  }
}

/** Same element for add-dedupe and remove-by-value: same `value` (and same `type` when both have one). */
function sameElement(def: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (!isObject(a) || !isObject(b) || def.type !== 'complex') return deepEqual(a, b);
  if (!('value' in b)) return deepEqual(a, b);
  const valueDef = findSubAttribute(def, 'value');
  const av = lookup(a, 'value');
  const bv = b.value;
  const sameV =
    typeof av === 'string' && typeof bv === 'string' && valueDef && !valueDef.caseExact ? eqIgnoreCase(av, bv) : deepEqual(av, bv);
  if (!sameV) return false;
  const at = lookup(a, 'type');
  const bt = b.type;
  return at === undefined || bt === undefined || (typeof at === 'string' && typeof bt === 'string' && eqIgnoreCase(at, bt));
}

/** RFC 7643 §2.4: when one of `winners` is primary, no other element may be. */
function onePrimary(els: unknown[], winners: readonly unknown[]): unknown[] {
  const winner = winners.find((w) => isObject(w) && w.primary === true);
  if (!winner) return els;
  let kept = false;
  return els.map((el) => {
    if (!isObject(el) || el.primary !== true) return el;
    if (!kept && (el === winner || deepEqual(el, winner))) {
      kept = true;
      return el;
    }
    return withoutKey(el, 'primary');
  });
}

function withoutKey(el: Json, name: string): Json {
  const k = findKey(el, name);
  if (k === undefined) return el;
  const { [k]: _gone, ...rest } = el;
  return rest;
}

function setKey(el: Json, name: string, v: unknown): void {
  const k = findKey(el, name);
  if (k !== undefined && k !== name) delete el[k];
  el[name] = v;
}

/**
 * After removing `sub` from an element: keep it only if it still carries data beyond its selector
 * (`primary` and the filter's `eq` fields): `{type: "work"}` alone is not an address.
 */
function keepElement(el: Json, sub: AttributeDefinition, selector: Json = {}): boolean {
  if (eqIgnoreCase(sub.name, 'value')) return false;
  return Object.keys(el).some((k) => !eqIgnoreCase(k, 'primary') && findKey(selector, k) === undefined && isPresent(el[k]));
}

/**
 * `type eq "work" and primary eq "True"` → `{type: "work", primary: "True"}` (coerced later by
 * normalizeElement); undefined when the filter is not a conjunction of `eq` terms on known
 * sub-attributes, or the terms contradict each other.
 */
export function equalityTemplate(f: Filter, def: AttributeDefinition): Json | undefined {
  switch (f.kind) {
    case 'compare': {
      if (f.op !== 'eq' || f.value === null || f.path.uri !== undefined || f.path.subAttr !== undefined) return undefined;
      const sub = findSubAttribute(def, f.path.attr);
      return sub ? { [sub.name]: f.value } : undefined;
    }
    case 'and': {
      const l = equalityTemplate(f.left, def);
      const r = equalityTemplate(f.right, def);
      if (!l || !r) return undefined;
      for (const k of Object.keys(r)) if (k in l && l[k] !== r[k]) return undefined;
      return { ...l, ...r };
    }
    default:
      return undefined;
  }
}

/** RFC 7644 §3.5.2: applies `ops` in order to a copy of `resource`. Throws `ScimError` 400. */
export function applyPatch(rs: ResourceSchema, resource: ScimResource, ops: readonly PatchOperation[]): ScimResource {
  const p = new Patcher(rs, resource);
  for (const op of ops) p.apply(op);
  return p.doc;
}
