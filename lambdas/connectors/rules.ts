/**
 * A profile made usable: its resource schemas built once, its rule paths resolved against them
 * (a typo in a profile fails at load, not on some request), its `accept` specs compiled
 * (accept.ts; built-in and configured profiles alike), and the pure function the provisioning
 * service runs on every normalised write (`applyRules`). Rules work on normalised documents, where
 * attribute names are canonical and extension data sits under the schema URN. `resolveShape` is
 * the schemas-only half, for discovery.
 *
 * Order on a write: drop invalid values (an update keeps the value stored for that slot), restore
 * immutable attributes from the stored resource, then check the profile's required attributes.
 */
import { ScimError } from '../scim/errors.js';
import { isPlainObject } from '../scim/normalize.js';
import { groupResource, userResource, type ResourceSchema } from '../scim/schema/resource-schema.js';
import type { ResolvedAttribute, ScimResource } from '../scim/schema/types.js';
import { compileAccept } from './accept.js';
import type { UnknownMemberPolicy } from './deployed.js';
import { PatternError } from './pattern.js';
import type { AttributeRules, ConnectorProfile, OfferedResource } from './profile.js';

type Json = Record<string, unknown>;

interface CompiledValueRule {
  readonly target: ResolvedAttribute;
  readonly accept: (value: unknown) => boolean;
}

export interface CompiledRules {
  readonly dropInvalid: readonly CompiledValueRule[];
  readonly immutable: readonly ResolvedAttribute[];
  readonly required: readonly ResolvedAttribute[];
  /** No rule at all (the generic profile): `applyRules` returns its input untouched. */
  readonly empty: boolean;
}

/** What serving a profile's schemas needs (discovery): no rules. */
export interface ProfileShape {
  readonly name: string;
  readonly profile: ConnectorProfile;
  readonly schemas: { readonly user: ResourceSchema; readonly group: ResourceSchema };
  readonly deactivation: 'keep' | 'delete';
  readonly patchResponse: 'noContent' | 'resource';
  readonly unknownMembers: UnknownMemberPolicy;
  offers(kind: OfferedResource): boolean;
}

export interface ResolvedProfile extends ProfileShape {
  readonly rules: Readonly<Record<OfferedResource, CompiledRules>>;
}

export class ProfileError extends Error {
  /**
   * `field`: where in the profile the problem is (`['rules', 'User', 'dropInvalid', 1, 'path']`),
   * so configuration errors can name it (`scim:profiles.acme.rules.User.dropInvalid[1].path`).
   */
  constructor(
    message: string,
    readonly field: readonly (string | number)[] = [],
    /** The message without the "profile <name>: " prefix. */
    readonly reason: string = message,
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

export const PROFILE_NAME = /^[a-z0-9][a-z0-9-]*$/;

function problem(profile: string, field: readonly (string | number)[], reason: string): ProfileError {
  return new ProfileError(`profile ${profile}: ${reason}`, field, reason);
}

function resolvePath(profile: string, kind: OfferedResource, rs: ResourceSchema, path: string, what: string, field: readonly (string | number)[]): ResolvedAttribute {
  const r = rs.resolveText(path);
  if (!r) throw problem(profile, field, `${kind} ${what} "${path}" is not an attribute of ${kind}`);
  if (r.attribute.mutability === 'readOnly') throw problem(profile, field, `${kind} ${what} "${path}" is read-only`);
  return r;
}

function compileRules(profile: string, kind: OfferedResource, rs: ResourceSchema, rules: AttributeRules = {}): CompiledRules {
  const at = (...rest: (string | number)[]) => ['rules', kind, ...rest];
  const single = (what: string, key: string) => (path: string, i: number) => {
    const r = resolvePath(profile, kind, rs, path, what, at(key, i));
    if (r.subAttribute && r.attribute.multiValued)
      throw problem(profile, at(key, i), `${kind} ${what} "${path}" addresses elements of a multi-valued attribute; name the whole attribute`);
    return r;
  };
  const dropInvalid = (rules.dropInvalid ?? []).map((v, i) => {
    const target = resolvePath(profile, kind, rs, v.path, 'rule', at('dropInvalid', i, 'path'));
    try {
      // The attribute's caseExact decides how oneOf and pattern compare (RFC 7643 §2.2).
      const caseExact = (target.subAttribute ?? target.attribute).caseExact;
      return { target, accept: typeof v.accept === 'function' ? v.accept : compileAccept(v.accept, { caseExact }) };
    } catch (e) {
      if (e instanceof PatternError) throw problem(profile, at('dropInvalid', i, 'accept', 'pattern'), e.message);
      throw e;
    }
  });
  const immutable = (rules.immutable ?? []).map(single('immutable attribute', 'immutable'));
  const required = (rules.required ?? []).map(single('required attribute', 'required'));
  return { dropInvalid, immutable, required, empty: dropInvalid.length + immutable.length + required.length === 0 };
}

/** Builds the schemas of a profile, without its rules; throws ProfileError on a bad profile. */
export function resolveShape(profile: ConnectorProfile): ProfileShape {
  if (!PROFILE_NAME.test(profile.name)) throw new ProfileError(`profile name "${profile.name}" must be lower-case letters, digits and "-"`);
  if (!profile.resourceTypes.includes('User')) throw problem(profile.name, ['resourceTypes'], 'resourceTypes must include User');
  const offered = new Set(profile.resourceTypes);
  return {
    name: profile.name,
    profile,
    schemas: { user: userResource(profile.extensions?.User ?? []), group: groupResource(profile.extensions?.Group ?? []) },
    deactivation: profile.lifecycle?.deactivation ?? 'keep',
    patchResponse: profile.responses?.patch ?? 'noContent',
    unknownMembers: profile.unknownMembers ?? 'ignore',
    offers: (kind) => offered.has(kind),
  };
}

/** Builds the schemas and compiles the rules of a profile; throws ProfileError on a bad profile. */
export function resolveProfile(profile: ConnectorProfile): ResolvedProfile {
  const shape = resolveShape(profile);
  return {
    ...shape,
    rules: {
      User: compileRules(profile.name, 'User', shape.schemas.user, profile.rules?.User),
      Group: compileRules(profile.name, 'Group', shape.schemas.group, profile.rules?.Group),
    },
  };
}

// ------------------------------------------------------------------ applying

function container(doc: Json, t: ResolvedAttribute, create = false): Json | undefined {
  if (!t.isExtension) return doc;
  const box = doc[t.schema.id];
  if (isPlainObject(box)) return box;
  if (!create) return undefined;
  const fresh: Json = {};
  doc[t.schema.id] = fresh;
  return fresh;
}

function read(doc: Json | undefined, t: ResolvedAttribute): unknown {
  if (!doc) return undefined;
  const v = container(doc, t)?.[t.attribute.name];
  if (!t.subAttribute) return v;
  return isPlainObject(v) ? v[t.subAttribute.name] : undefined;
}

function write(doc: Json, t: ResolvedAttribute, value: unknown): void {
  const box = container(doc, t, true) as Json;
  const name = t.attribute.name;
  if (!t.subAttribute) {
    box[name] = structuredClone(value);
    return;
  }
  const existing = box[name];
  box[name] = { ...(isPlainObject(existing) ? existing : {}), [t.subAttribute.name]: structuredClone(value) };
}

function setOrDelete(box: Json, name: string, value: unknown): void {
  if (value === undefined || (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0)) delete box[name];
  else box[name] = value;
}

function typeKey(el: unknown): string | undefined {
  return isPlainObject(el) && typeof el.type === 'string' ? el.type.toLowerCase() : undefined;
}

function dropInvalid(doc: Json, rule: CompiledValueRule, current: Json | undefined): void {
  const t = rule.target;
  const box = container(doc, t);
  const name = t.attribute.name;
  const v = box?.[name];
  if (!box || v === undefined) return;
  const stored = current ? container(current, t)?.[name] : undefined;
  const sub = t.subAttribute?.name;
  const ok = (el: unknown): boolean => (sub === undefined ? rule.accept(el) : !isPlainObject(el) || el[sub] === undefined || rule.accept(el[sub]));

  if (t.attribute.multiValued) {
    const items = Array.isArray(v) ? v : [v];
    if (items.every(ok)) return;
    const kept = items.filter(ok);
    // An invalid element is ignored: the stored element of the same type (if valid) stays.
    const storedItems = Array.isArray(stored) ? stored : [];
    for (const bad of items.filter((el) => !ok(el))) {
      const type = typeKey(bad);
      if (type === undefined || kept.some((k) => typeKey(k) === type)) continue;
      const fallback = storedItems.find((s) => typeKey(s) === type && ok(s));
      if (fallback === undefined) continue;
      const copy = structuredClone(fallback) as Json;
      if (copy.primary === true && kept.some((k) => isPlainObject(k) && k.primary === true)) delete copy.primary;
      kept.push(copy);
    }
    setOrDelete(box, name, kept);
    return;
  }
  if (sub !== undefined) {
    if (!isPlainObject(v) || ok(v)) return;
    const next: Json = { ...v };
    const old = isPlainObject(stored) ? stored[sub] : undefined;
    if (old !== undefined && rule.accept(old)) next[sub] = old;
    else delete next[sub];
    setOrDelete(box, name, next);
    return;
  }
  if (ok(v)) return;
  setOrDelete(box, name, stored !== undefined && ok(stored) ? structuredClone(stored) : undefined);
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Empty extension objects go, `schemas` lists exactly the extensions that carry data. */
function tidySchemas(rs: ResourceSchema, doc: Json): void {
  const schemas = [rs.core.id];
  for (const ext of rs.extensions) {
    const box = doc[ext.id];
    if (box === undefined) continue;
    if (!isPlainObject(box) || Object.keys(box).length === 0) delete doc[ext.id];
    else schemas.push(ext.id);
  }
  doc.schemas = schemas;
}

/**
 * Runs a resource type's rules on a normalised write. `current`: the stored attributes for a PUT
 * or PATCH, undefined for a create. Returns a new document (the input is not modified).
 */
export function applyRules(rs: ResourceSchema, rules: CompiledRules, next: ScimResource, current?: ScimResource): ScimResource {
  if (rules.empty) return next;
  const out = structuredClone(next) as Json;
  for (const rule of rules.dropInvalid) dropInvalid(out, rule, current);
  if (current) {
    for (const t of rules.immutable) {
      const stored = read(current, t);
      // Not set yet: it may be set now (RFC 7643 "immutable" semantics), only later changes are ignored.
      if (!isMissing(stored)) write(out, t, stored);
    }
  }
  tidySchemas(rs, out);
  for (const t of rules.required) {
    if (isMissing(read(out, t))) throw new ScimError(400, 'invalidValue', `Attribute '${rs.canonicalPath(t)}' is required by this connector`);
  }
  return out as ScimResource;
}
