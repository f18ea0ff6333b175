/**
 * Turns a POST/PUT body into a canonical `ScimResource` (RFC 7643 §2, RFC 7644 §3.3, §3.5.1),
 * tolerant in the ways Entra ID and Okta need (scim-clients.md §0 #3, #7, #13; §4 #2, #6, #20):
 *  - attribute names are case-insensitive (RFC 7643 §2.1) and come out canonical;
 *  - extension data is accepted as a nested object keyed by the URN (any case) or as top-level
 *    URN-qualified keys, whether or not the URN is listed in `schemas` (the client's `schemas`
 *    array is not trusted at all: Entra has sent `…enterprise:2.0User`);
 *  - unknown attributes and schema URNs are ignored, never 400; readOnly input (id, meta, groups)
 *    is ignored (RFC 7643 §2.2 "SHALL be ignored");
 *  - `""`, `null` and `[]` mean "absent" and are dropped, as are multi-valued elements whose
 *    `value` is absent (Entra's `{"type": "work", "value": null}`);
 *  - string booleans (`"True"`, `"false"`, any case) become booleans, numbers for string attributes
 *    become their decimal string (Okta custom mappings can send numbers; rejecting them would fail
 *    a whole provisioning cycle for a harmless difference);
 *  - a bare scalar for a complex attribute with a `value` sub-attribute becomes `{value}` (Entra's
 *    `manager: "<id>"`), a one-element array for a single-valued attribute is unwrapped (legacy
 *    Entra `manager: [{value, $ref}]`), a single object for a multi-valued attribute is wrapped;
 *  - RFC 7643 §2.4: at most one `primary: true` per multi-valued attribute (the first one wins),
 *    and elements repeating an earlier element's `type` + `value` are dropped (§4 #30);
 *  - values that cannot be coerced (`active: "maybe"`, an object for `userName`) → 400
 *    `invalidValue` naming the attribute; a missing required attribute → 400 `invalidValue`.
 * Strings are stored exactly as sent (no trimming, no case change). `password` is kept (the service
 * decides what to do with it); it is `returned: never`, so projection never emits it.
 */
import { ScimError } from './errors.js';
import { memberRefs } from './patch/members.js';
import { MAX_MEMBERS_PER_REQUEST, MAX_MULTI_VALUES, MAX_VALUE_LENGTH } from './limits.js';
import { splitAttrPath } from './schema/attr-path.js';
import { findSubAttribute, type ResourceSchema } from './schema/resource-schema.js';
import type { AttributeDefinition, AttributeType, SchemaDefinition, ScimResource } from './schema/types.js';

export interface NormalizeOptions {
  /** Check `required` attributes (default true). The PATCH engine may normalise partial documents. */
  readonly checkRequired?: boolean;
}

type Json = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `null`, `undefined` and `""` all mean "no value" (Entra's null-test sends both). */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function invalid(detail: string): ScimError {
  return new ScimError(400, 'invalidValue', detail);
}

/** `true`/`false` or their string forms in any case (RFC 7643 §2.3.2; Entra sends `"False"`). */
export function coerceBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

// xsd:dateTime (RFC 7643 §2.3.5) with an optional offset; kept verbatim once validated.
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function normalizeScalar(type: AttributeType, v: unknown, label: string): unknown {
  switch (type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof v === 'string') {
        if (v.length > MAX_VALUE_LENGTH) throw invalid(`Attribute '${label}' is longer than ${MAX_VALUE_LENGTH} characters`);
        return v;
      }
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      if (typeof v === 'boolean') return String(v);
      throw invalid(`Attribute '${label}' must be a string`);
    case 'boolean': {
      const b = coerceBoolean(v);
      if (b === undefined) throw invalid(`Attribute '${label}' must be a boolean`);
      return b;
    }
    case 'integer':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return Number(v.trim());
      throw invalid(`Attribute '${label}' must be an integer`);
    case 'decimal':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      throw invalid(`Attribute '${label}' must be a decimal number`);
    case 'dateTime':
      if (typeof v === 'string' && DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))) return v;
      throw invalid(`Attribute '${label}' must be an xsd:dateTime string`);
    case 'complex':
      throw invalid(`Attribute '${label}' must be an object`);
  }
}

function normalizeComplexObject(attribute: AttributeDefinition, obj: Json, label: string): Json | undefined {
  const found = new Map<AttributeDefinition, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const sub = findSubAttribute(attribute, k);
    if (!sub || sub.mutability === 'readOnly') continue; // unknown or server-owned: ignore
    const nv = normalizeAttributeValue(sub, v, `${label}.${sub.name}`);
    if (nv === undefined) found.delete(sub);
    else found.set(sub, nv);
  }
  if (found.size === 0) return undefined;
  const out: Json = {};
  for (const sub of attribute.subAttributes ?? []) {
    if (found.has(sub)) out[sub.name] = found.get(sub);
    else if (sub.required) throw invalid(`Attribute '${label}.${sub.name}' is required`);
  }
  return out;
}

/** One value (or one element of a multi-valued attribute); `undefined` when absent. */
export function normalizeElement(attribute: AttributeDefinition, v: unknown, label: string = attribute.name): unknown {
  if (isAbsent(v)) return undefined;
  if (attribute.type !== 'complex') return normalizeScalar(attribute.type, v, label);
  if (isPlainObject(v)) return normalizeComplexObject(attribute, v, label);
  if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && findSubAttribute(attribute, 'value')) {
    return normalizeComplexObject(attribute, { value: v }, label);
  }
  throw invalid(`Attribute '${label}' must be an object`);
}

function dedupeKey(attribute: AttributeDefinition, el: unknown): string {
  if (!isPlainObject(el) || !('value' in el)) return JSON.stringify(el);
  const valueDef = findSubAttribute(attribute, 'value');
  const value = typeof el.value === 'string' && !valueDef?.caseExact ? el.value.toLowerCase() : JSON.stringify(el.value);
  const type = typeof el.type === 'string' ? el.type.toLowerCase() : '';
  return `${type}\u0000${value}`;
}

function tidyMultiValued(attribute: AttributeDefinition, items: unknown[]): unknown[] {
  const seen = new Set<string>();
  const unique = items.filter((el) => {
    const k = dedupeKey(attribute, el);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (attribute.type !== 'complex') return unique;
  let primarySeen = false;
  return unique.map((el) => {
    if (!isPlainObject(el) || el.primary !== true) return el;
    if (!primarySeen) {
      primarySeen = true;
      return el;
    }
    const { primary: _dropped, ...rest } = el;
    return rest;
  });
}

/**
 * A whole attribute value (all shapes above); `undefined` when absent/empty. Exported for the
 * PATCH engine so `replace` values get the same coercions as POST/PUT bodies.
 */
export function normalizeAttributeValue(attribute: AttributeDefinition, v: unknown, label: string = attribute.name): unknown {
  if (isAbsent(v)) return undefined;
  if (attribute.multiValued) {
    const items = Array.isArray(v) ? v : [v];
    // Checked before any element is looked at, so a huge array costs nothing (limits.ts).
    if (attribute.name === 'members') {
      if (items.length > MAX_MEMBERS_PER_REQUEST)
        throw new ScimError(400, 'tooMany', `'${label}' has ${items.length} values; at most ${MAX_MEMBERS_PER_REQUEST} per request`);
    } else if (items.length > MAX_MULTI_VALUES) {
      throw invalid(`Attribute '${label}' has ${items.length} values; at most ${MAX_MULTI_VALUES}`);
    }
    const hasValue = attribute.type === 'complex' && findSubAttribute(attribute, 'value') !== undefined;
    const out: unknown[] = [];
    for (const item of items) {
      const nv = normalizeElement(attribute, item, label);
      // An element whose `value` is absent (`{type: "work", value: null}`) carries nothing: drop it.
      // Except a member: `{"value": ""}` names no member at all. It goes to memberRefs, the one
      // member validator (PATCH's too), which refuses it: dropping it here made POST/PUT answer 201
      // for the member a PATCH answers 400 for.
      if (attribute.name === 'members' && isPlainObject(item) && (!isPlainObject(nv) || nv.value === undefined)) memberRefs([item], label);
      if (nv === undefined || (hasValue && isPlainObject(nv) && nv.value === undefined)) continue;
      out.push(nv);
    }
    return out.length === 0 ? undefined : tidyMultiValued(attribute, out);
  }
  if (Array.isArray(v)) {
    const present = v.filter((x) => !isAbsent(x));
    if (present.length === 0) return undefined;
    if (present.length > 1) throw invalid(`Attribute '${label}' is single-valued`);
    return normalizeElement(attribute, present[0], label);
  }
  return normalizeElement(attribute, v, label);
}

/** Raw (not yet normalised) values per schema, keyed by attribute definition. */
type Collected = Map<SchemaDefinition, Map<AttributeDefinition, unknown>>;

function collect(
  into: Collected,
  schema: SchemaDefinition,
  attribute: AttributeDefinition,
  sub: AttributeDefinition | undefined,
  value: unknown,
): void {
  if (attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') return;
  let m = into.get(schema);
  if (!m) into.set(schema, (m = new Map()));
  if (!sub) {
    m.set(attribute, value);
    return;
  }
  // A dotted key (`name.givenName`, `urn:…:User:manager.value`): merge into the complex value.
  const existing = m.get(attribute);
  if (existing === undefined || isAbsent(existing)) m.set(attribute, { [sub.name]: value });
  else if (isPlainObject(existing)) m.set(attribute, { ...existing, [sub.name]: value });
  else if (!attribute.multiValued && !Array.isArray(existing) && findSubAttribute(attribute, 'value')) {
    m.set(attribute, { value: existing, [sub.name]: value });
  }
  // otherwise (a dotted key into a multi-valued attribute) there is no element to address: ignore
}

function labelFor(rs: ResourceSchema, schema: SchemaDefinition, attribute: AttributeDefinition): string {
  return rs.isExtension(schema) ? `${schema.id}:${attribute.name}` : attribute.name;
}

/** Normalises a POST/PUT body for resource type `rs`. Throws `ScimError` 400 on bad input. */
export function normalizeResource(rs: ResourceSchema, input: unknown, opts: NormalizeOptions = {}): ScimResource {
  if (!isPlainObject(input)) throw new ScimError(400, 'invalidSyntax', 'Request body must be a JSON object');
  const raw: Collected = new Map();

  for (const [key, value] of Object.entries(input)) {
    if (key.toLowerCase() === 'schemas') continue; // recomputed from the data
    if (/^urn:/i.test(key)) {
      const whole = rs.resolveUrn(key);
      if (whole) {
        // `"urn:…:enterprise:2.0:User": {…}` (or the core URN, rarely): attributes of that schema.
        if (isAbsent(value)) continue;
        if (!isPlainObject(value)) throw invalid(`'${whole.id}' must be an object`);
        for (const [k, v] of Object.entries(value)) {
          const p = splitAttrPath(k);
          if (p.uri !== undefined) continue;
          const attribute = rs.findAttribute(whole, p.attr);
          if (!attribute) continue;
          const sub = p.subAttr !== undefined ? findSubAttribute(attribute, p.subAttr) : undefined;
          if (p.subAttr !== undefined && !sub) continue;
          collect(raw, whole, attribute, sub, v);
        }
        continue;
      }
    }
    // `userName`, `name.givenName`, `urn:…:enterprise:2.0:User:department`; unknown → ignored.
    const resolved = rs.resolve(splitAttrPath(key));
    if (resolved) collect(raw, resolved.schema, resolved.attribute, resolved.subAttribute, value);
  }

  const out: ScimResource = { schemas: [rs.core.id] };
  const schemas: string[] = [rs.core.id];
  for (const schema of rs.schemas) {
    const values = raw.get(schema);
    const target: Json = schema === rs.core ? out : {};
    for (const attribute of rs.attributesOf(schema)) {
      const rv = values?.get(attribute);
      const nv = rv === undefined ? undefined : normalizeAttributeValue(attribute, rv, labelFor(rs, schema, attribute));
      if (nv !== undefined) target[attribute.name] = nv;
    }
    if (schema !== rs.core) {
      if (Object.keys(target).length === 0) continue;
      out[schema.id] = target;
      schemas.push(schema.id);
    }
    if (opts.checkRequired !== false) {
      for (const attribute of rs.attributesOf(schema)) {
        if (attribute.required && attribute.mutability !== 'readOnly' && target[attribute.name] === undefined) {
          throw invalid(`Attribute '${labelFor(rs, schema, attribute)}' is required`);
        }
      }
    }
  }
  out.schemas = schemas;
  return out;
}
