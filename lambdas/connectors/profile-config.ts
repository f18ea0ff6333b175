/**
 * Profiles declared in configuration: the `scim:profiles` context of cdk.json, validated where it
 * is written — the CDK app (lib/config.ts) and `npm start` (bin/local/config.ts) — with the same
 * care as `scim:connectors` (config.ts): every problem names its field, e.g.
 * `scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: …`.
 *
 * Beyond the shape (zod, which also compiles each pattern with the linear-time engine), a profile
 * is checked the way it will run: resolved like a built-in one (rules.ts), so a rule path that
 * names no attribute of the profile's schemas is refused here. The Lambdas then get the validated, defaulted result
 * (deployed-profiles.ts) and only check its structure.
 *
 * Attribute characteristics take the schema builder's defaults (RFC 7643 §2.2, define.ts).
 */
import * as z from 'zod/mini';
import { attr } from '../scim/schema/define.js';
import type { ResourceSchema } from '../scim/schema/resource-schema.js';
import { SCHEMA, type AttributeDefinition, type SchemaDefinition } from '../scim/schema/types.js';
import { UNKNOWN_MEMBER_POLICIES } from './deployed.js';
import { compilePattern, PatternCostError, PatternError } from './pattern.js';
import { PROFILE_NAMES } from './profile-names.js';
import type { OfferedResource } from './profile.js';
import {
  PROFILES_CONTEXT_KEY,
  ProfileConfigError,
  profileFromSpec,
  type AcceptSpec,
  type AttributeRulesSpec,
  type ProfileSpec,
  type ProfileSpecs,
} from './profile-spec.js';
import { profileRegistry } from './profiles.js';
import type { ProfileRegistry } from './registry.js';
import { PROFILE_NAME, ProfileError, resolveProfile } from './rules.js';

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, `must be one of: ${values.join(', ')}`);
const bool = () => z.optional(z.boolean('must be true or false'));
const text = () => z.string('must be a string');
const nonEmpty = () => text().check(z.minLength(1, 'must not be empty'));
const strings = () => z.array(text(), 'must be an array of strings');

// RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); `$ref` is the one sub-attribute name beyond it.
const ATTR_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]*(:[^\s:]+)+$/;
const STRING_TYPES = new Set(['string', 'reference', 'binary', 'dateTime']);

const characteristics = {
  description: z.optional(text()),
  type: z.optional(oneOf(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'] as const)),
  multiValued: bool(),
  required: bool(),
  caseExact: bool(),
  mutability: z.optional(oneOf(['readWrite', 'readOnly', 'immutable', 'writeOnly'] as const)),
  returned: z.optional(oneOf(['default', 'always', 'never', 'request'] as const)),
  uniqueness: z.optional(oneOf(['none', 'server', 'global'] as const)),
  canonicalValues: z.optional(strings()),
  referenceTypes: z.optional(z.array(nonEmpty(), 'must be an array of strings').check(z.minLength(1, 'must name at least one resource type or "uri"/"external"'))),
};
const CHARACTERISTICS = 'type?, description?, multiValued?, required?, caseExact?, mutability?, returned?, uniqueness?, canonicalValues?, referenceTypes?';

type AttributeInput = { name: string; type?: AttributeDefinition['type']; description?: string; subAttributes?: AttributeInput[]; referenceTypes?: string[] } & Partial<
  Omit<AttributeDefinition, 'name' | 'subAttributes'>
>;

/** Names once each (case-insensitive, RFC 7643 §2.1); the duplicate gets the issue. */
function uniqueNames(list: readonly { name: string }[], ctx: { addIssue: (i: z.core.$ZodRawIssue) => void }, at: (i: number) => PropertyKey[]): void {
  const seen = new Map<string, number>();
  list.forEach((a, i) => {
    const first = seen.get(a.name.toLowerCase());
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: at(i), message: `duplicates [${first}] "${list[first]!.name}" (names are case-insensitive)`, input: a.name });
    else seen.set(a.name.toLowerCase(), i);
  });
}

function attributeRules(a: AttributeInput, ctx: { addIssue: (i: z.core.$ZodRawIssue) => void }, sub: boolean): void {
  const type = a.type ?? 'string';
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message, input: a });
  if (sub && type === 'complex') issue(['type'], 'a sub-attribute cannot be complex (RFC 7643 §2.3.8)');
  if (type === 'complex' && !sub && (a.subAttributes ?? []).length === 0) issue(['subAttributes'], 'a complex attribute needs at least one sub-attribute');
  if (type !== 'complex' && a.subAttributes !== undefined) issue(['subAttributes'], `only a complex attribute has sub-attributes (this one is ${type})`);
  if (type === 'reference' && a.referenceTypes === undefined) issue(['referenceTypes'], 'a reference attribute needs referenceTypes (e.g. ["external"], ["User"])');
  if (type !== 'reference' && a.referenceTypes !== undefined) issue(['referenceTypes'], `only a reference attribute has referenceTypes (this one is ${type})`);
  if (a.subAttributes) uniqueNames(a.subAttributes, ctx, (i) => ['subAttributes', i, 'name']);
}

const subAttributeSchema = z
  .strictObject(
    { name: text().check(z.refine((s) => ATTR_NAME.test(s) || s === '$ref', 'must be a letter, then letters, digits, "_" or "-"')), ...characteristics },
    `must be an object {name, ${CHARACTERISTICS}}`,
  )
  .check(z.superRefine((a, ctx) => attributeRules(a, ctx, true)));

const attributeSchema = z
  .strictObject(
    {
      name: text().check(z.regex(ATTR_NAME, 'must be a letter, then letters, digits, "_" or "-"')),
      ...characteristics,
      subAttributes: z.optional(z.array(subAttributeSchema, 'must be an array of attributes')),
    },
    `must be an object {name, ${CHARACTERISTICS}, subAttributes?}`,
  )
  .check(z.superRefine((a, ctx) => attributeRules(a as AttributeInput, ctx, false)));

const schemaSchema = z
  .strictObject(
    {
      id: text().check(z.regex(URN, 'must be a schema URN like "urn:ietf:params:scim:schemas:extension:acme:2.0:User"')),
      name: nonEmpty(),
      description: z.optional(text()),
      attributes: z.array(attributeSchema, 'must be an array of attributes').check(z.minLength(1, 'must declare at least one attribute')),
    },
    'must be an object {id, name, description?, attributes}',
  )
  .check(z.superRefine((s, ctx) => uniqueNames(s.attributes, ctx, (i) => ['attributes', i, 'name'])));

const ACCEPT_HELP = 'must be "usPhone", "email", {"pattern": "…"}, {"oneOf": ["…"]} or {"maxLength": n}';

/** `accept`: checked by hand so each problem names the exact key (`accept.pattern`), not the union. */
const acceptSchema = z.custom<AcceptSpec>().check(
  z.superRefine((v, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message, input: v });
    if (v === 'usPhone' || v === 'email') return;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return issue([], ACCEPT_HELP);
    const keys = Object.keys(v);
    if (keys.length !== 1) return issue([], `${ACCEPT_HELP} (exactly one key, got ${keys.length})`);
    const [key] = keys as [string];
    const value = (v as Record<string, unknown>)[key];
    if (key === 'pattern') {
      if (typeof value !== 'string') issue(['pattern'], 'must be a string'); // compiled with its rule (dropInvalidRule)
    } else if (key === 'oneOf') {
      if (!Array.isArray(value) || value.length === 0) return issue(['oneOf'], 'must be a non-empty array of strings');
      value.forEach((s: unknown, i) => typeof s !== 'string' && issue(['oneOf', i], 'must be a string'));
    } else if (key === 'maxLength') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) issue(['maxLength'], 'must be an integer >= 1');
    } else issue([key], `unknown key; ${ACCEPT_HELP}`);
  }),
);

/**
 * A `dropInvalid` rule; its pattern is compiled with the linear-time engine here, where the
 * attribute is known, so a pattern over the cost limit names the attribute it was meant for.
 */
const dropInvalidRule = z
  .strictObject({ path: nonEmpty(), accept: acceptSchema, description: z.optional(text()) }, 'must be an object {path, accept, description?}')
  .check(
    z.superRefine((rule, ctx) => {
      const pattern = typeof rule.accept === 'object' && 'pattern' in rule.accept ? rule.accept.pattern : undefined;
      if (typeof pattern !== 'string') return;
      try {
        compilePattern(pattern);
      } catch (e) {
        if (!(e instanceof PatternError)) throw e;
        const message = e instanceof PatternCostError ? `the pattern for "${rule.path}" ${e.message}` : e.message;
        ctx.addIssue({ code: 'custom', path: ['accept', 'pattern'], message, input: pattern });
      }
    }),
  );

const rulesSchema = z.strictObject(
  {
    dropInvalid: z.optional(z.array(dropInvalidRule, 'must be an array of rules')),
    immutable: z.optional(z.array(nonEmpty(), 'must be an array of attribute paths')),
    required: z.optional(z.array(nonEmpty(), 'must be an array of attribute paths')),
  },
  'must be an object {dropInvalid?, immutable?, required?}',
);

const byResource = <T extends z.core.SomeType>(schema: T, what: string) =>
  z.optional(z.strictObject({ User: z.optional(schema), Group: z.optional(schema) }, `must be an object {User?, Group?} of ${what}`));

const profileSchema = z.strictObject(
  {
    description: text(),
    resourceTypes: z.array(oneOf(['User', 'Group'] as const), 'must be an array: ["User"] or ["User", "Group"]').check(
      z.superRefine((list, ctx) => {
        if (!list.includes('User')) ctx.addIssue({ code: 'custom', message: 'must include "User"', input: list });
        if (new Set(list).size !== list.length) ctx.addIssue({ code: 'custom', message: 'lists a resource type twice', input: list });
      }),
    ),
    extensions: byResource(z.array(schemaSchema, 'must be an array of schemas'), 'extension schema arrays'),
    rules: byResource(rulesSchema, 'rules'),
    lifecycle: z.optional(z.strictObject({ deactivation: z.optional(oneOf(['keep', 'delete'] as const)) }, 'must be an object {deactivation?}')),
    responses: z.optional(z.strictObject({ patch: z.optional(oneOf(['noContent', 'resource'] as const)) }, 'must be an object {patch?}')),
    unknownMembers: z.optional(oneOf(UNKNOWN_MEMBER_POLICIES)),
  },
  'must be an object {description, resourceTypes, extensions?, rules?, lifecycle?, responses?, unknownMembers?}',
);

type ProfileInput = z.output<typeof profileSchema>;

function describeAccept(spec: AcceptSpec): string {
  if (spec === 'usPhone') return 'a valid 10-digit US number, not toll-free';
  if (spec === 'email') return 'an e-mail address';
  if ('pattern' in spec) return `matches ${spec.pattern}`;
  if ('oneOf' in spec) return `one of: ${spec.oneOf.join(', ')}`;
  return `at most ${spec.maxLength} characters`;
}

function attributeDefinition(a: AttributeInput): AttributeDefinition {
  const { name, description, subAttributes, ...rest } = a;
  return attr(name, description ?? '', { ...rest, ...(subAttributes ? { subAttributes: subAttributes.map(attributeDefinition) } : {}) });
}

/** The validated input with every default spelled out: what the Lambdas receive. */
function toSpec(p: ProfileInput): ProfileSpec {
  const extensions: Partial<Record<OfferedResource, SchemaDefinition[]>> = {};
  const rules: Partial<Record<OfferedResource, AttributeRulesSpec>> = {};
  for (const kind of ['User', 'Group'] as const) {
    const ext = p.extensions?.[kind];
    if (ext) extensions[kind] = ext.map((s) => ({ id: s.id, name: s.name, description: s.description ?? '', attributes: s.attributes.map((a) => attributeDefinition(a as AttributeInput)) }));
    const r = p.rules?.[kind];
    if (r) {
      rules[kind] = {
        ...(r.immutable ? { immutable: r.immutable } : {}),
        ...(r.required ? { required: r.required } : {}),
        ...(r.dropInvalid ? { dropInvalid: r.dropInvalid.map((v) => ({ path: v.path, accept: v.accept, description: v.description ?? describeAccept(v.accept) })) } : {}),
      };
    }
  }
  return {
    description: p.description,
    resourceTypes: p.resourceTypes,
    ...(p.extensions ? { extensions } : {}),
    ...(p.rules ? { rules } : {}),
    ...(p.lifecycle ? { lifecycle: p.lifecycle } : {}),
    ...(p.responses ? { responses: p.responses } : {}),
    ...(p.unknownMembers ? { unknownMembers: p.unknownMembers } : {}),
  };
}

type Field = readonly (string | number)[];

/** The checks that need the built profile: schema ids, resource types, rule paths and their targets. */
function semanticProblems(name: string, spec: ProfileSpec): [Field, string][] {
  const problems: [Field, string][] = [];
  const reserved = new Map([[SCHEMA.user.toLowerCase(), 'the core User schema'], [SCHEMA.group.toLowerCase(), 'the core Group schema'], [SCHEMA.enterpriseUser.toLowerCase(), 'the Enterprise User extension, which every User already has']]);
  const ids = new Map<string, string>();
  for (const kind of ['User', 'Group'] as const) {
    if (kind === 'Group' && !spec.resourceTypes.includes('Group')) {
      if (spec.extensions?.Group) problems.push([['extensions', 'Group'], 'Group is not in resourceTypes']);
      if (spec.rules?.Group) problems.push([['rules', 'Group'], 'Group is not in resourceTypes']);
    }
    (spec.extensions?.[kind] ?? []).forEach((s, i) => {
      const key = s.id.toLowerCase();
      const at = `extensions.${kind}[${i}]`;
      if (reserved.has(key)) problems.push([['extensions', kind, i, 'id'], `is ${reserved.get(key)}`]);
      else if (ids.has(key)) problems.push([['extensions', kind, i, 'id'], `duplicates ${ids.get(key)}`]);
      else ids.set(key, at);
    });
  }
  if (problems.length > 0) return problems;
  let resolved;
  try {
    resolved = resolveProfile(profileFromSpec(name, spec));
  } catch (e) {
    if (e instanceof ProfileError) return [[e.field, e.reason]];
    throw e;
  }
  for (const kind of ['User', 'Group'] as const) {
    const rs: ResourceSchema = kind === 'User' ? resolved.schemas.user : resolved.schemas.group;
    (spec.rules?.[kind]?.dropInvalid ?? []).forEach((rule, i) => {
      const t = rs.resolveText(rule.path);
      const a = t?.subAttribute ?? t?.attribute;
      // accept judges strings: on a number, boolean or object it would drop every value.
      if (a && !STRING_TYPES.has(a.type)) problems.push([['rules', kind, 'dropInvalid', i, 'path'], `"${rule.path}" is ${a.type}; accept applies to string attributes`]);
    });
  }
  return problems;
}

function fieldText(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

export interface ConfiguredProfiles {
  /** The validated profiles with defaults applied (what the Lambdas receive). */
  readonly specs: ProfileSpecs;
  /** Built-in + configured profiles. */
  readonly registry: ProfileRegistry;
}

/**
 * Validates the `scim:profiles` value (missing → none); throws ProfileConfigError listing every
 * problem with its field.
 */
export function parseProfiles(input: unknown): ConfiguredProfiles {
  if (input === undefined || input === null) return { specs: {}, registry: profileRegistry() };
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ProfileConfigError([`${PROFILES_CONTEXT_KEY}: must be an object {"<profile name>": {description, resourceTypes, …}}`]);
  }
  const problems: string[] = [];
  const specs: Record<string, ProfileSpec> = {};
  for (const [name, value] of Object.entries(input)) {
    const at = `${PROFILES_CONTEXT_KEY}.${name}`;
    if (!PROFILE_NAME.test(name)) {
      problems.push(`${at}: a profile name must be lower-case letters, digits and "-", starting with a letter or digit`);
      continue;
    }
    if ((PROFILE_NAMES as readonly string[]).includes(name)) {
      problems.push(`${at}: "${name}" is a built-in profile; give the configured one another name`);
      continue;
    }
    const r = profileSchema.safeParse(value);
    if (!r.success) {
      for (const i of r.error.issues) {
        if (i.code === 'unrecognized_keys') for (const key of i.keys) problems.push(`${at}${fieldText([...i.path, key])}: unknown key; ${i.message}`);
        else problems.push(`${at}${fieldText(i.path)}: ${i.message}`);
      }
      continue;
    }
    const spec = toSpec(r.data);
    const found = semanticProblems(name, spec);
    for (const [field, message] of found) problems.push(`${at}${fieldText(field)}: ${message}`);
    if (found.length === 0) specs[name] = spec;
  }
  if (problems.length > 0) throw new ProfileConfigError(problems);
  return { specs, registry: profileRegistry(Object.entries(specs).map(([name, spec]) => profileFromSpec(name, spec))) };
}

/** The names a connector may use when `scim:profiles` is `input`, even if some of it is invalid (no second error for the same mistake). */
export function declaredProfileNames(input: unknown): string[] {
  const configured = typeof input === 'object' && input !== null && !Array.isArray(input) ? Object.keys(input) : [];
  return [...PROFILE_NAMES, ...configured.filter((n) => !(PROFILE_NAMES as readonly string[]).includes(n))];
}
