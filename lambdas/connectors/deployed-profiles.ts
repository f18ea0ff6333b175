/**
 * The configured profiles a Lambda was deployed with, read without zod (see deployed.ts for why).
 *
 * The CDK app validates `scim:profiles` in full at synth (profile-config.ts) and writes the
 * profiles the connectors use, as JSON, into the users, groups and discovery bundles: esbuild
 * replaces `process.env.SCIM_PROFILES` below with that text (`define`, lib/scim-stack.ts). Not an
 * environment variable: Lambda allows 4 KB of environment per function, which a few profiles with
 * their attribute descriptions would exhaust. Run from source (tests), the expression reads the
 * real environment variable. What arrives gets a structural check — fail at init naming the
 * field, for a bundle built some other way — and the same compile path as at synth.
 */
import { ProfileConfigError, profileFromSpec, type ProfileSpecs } from './profile-spec.js';
import type { ConnectorProfile } from './profile.js';

/** What esbuild `define` replaces (and the environment variable that stands in for it from source). */
export const PROFILES_DEFINE = 'process.env.SCIM_PROFILES';
const LABEL = 'SCIM_PROFILES';

/**
 * A JSON shape: a `typeof` name, `[shape]` for an array of it, or an object whose listed keys
 * have that shape when present (`!`: must be present). Other keys are not looked at.
 */
type Shape = string | readonly [Shape] | { readonly [key: string]: Shape };

const ATTRIBUTE = { 'name!': 'string', 'type!': 'string', 'multiValued!': 'boolean' };
const SCHEMAS = [{ 'id!': 'string', 'name!': 'string', 'attributes!': [{ ...ATTRIBUTE, subAttributes: [ATTRIBUTE] }] }] as const;
const RULES = { dropInvalid: [{ 'path!': 'string', 'accept!': 'defined' }], immutable: ['string'], required: ['string'] } as const;
const PROFILE: Shape = { 'description!': 'string', 'resourceTypes!': ['string'], extensions: { User: SCHEMAS, Group: SCHEMAS }, rules: { User: RULES, Group: RULES } };

/** The first place where `v` does not have `shape`, as `at.field: why`; undefined when it has. */
function mismatch(v: unknown, shape: Shape, at: string): string | undefined {
  if (typeof shape === 'string') return shape === 'defined' || typeof v === shape ? undefined : `${at}: must be a ${shape}`;
  if (Array.isArray(shape)) {
    if (!Array.isArray(v)) return `${at}: must be an array`;
    for (const [i, el] of v.entries()) {
      const bad = mismatch(el, shape[0], `${at}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at}: must be an object`;
  for (const [k, sub] of Object.entries(shape)) {
    const key = k.replace('!', '');
    const value = (v as Record<string, unknown>)[key];
    const bad = value === undefined ? (k === key ? undefined : `${at}.${key}: missing`) : mismatch(value, sub, `${at}.${key}`);
    if (bad) return bad;
  }
  return undefined;
}

/** The configured profiles (`{}` when none); throws ProfileConfigError naming a malformed field. */
export function deployedProfileSpecs(raw: string | undefined = process.env.SCIM_PROFILES): ProfileSpecs {
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ProfileConfigError([`${LABEL} is not valid JSON`]);
  }
  const bad = mismatch(json, {}, LABEL) ?? Object.entries(json as object).map(([name, p]) => mismatch(p, PROFILE, `${LABEL}.${name}`)).find(Boolean);
  if (bad) throw new ProfileConfigError([bad]);
  return json as ProfileSpecs;
}

/**
 * The registry of a Lambda: built-in profiles plus the configured ones, registered with `registry`
 * (users and groups: profileRegistry; discovery: schemaRegistry, which resolves schemas only and
 * so bundles neither the rule compiler nor the pattern engine).
 */
export function deployedProfiles<R>(registry: (configured: ConnectorProfile[]) => R, raw: string | undefined = process.env.SCIM_PROFILES): R {
  return registry(Object.entries(deployedProfileSpecs(raw)).map(([name, spec]) => profileFromSpec(name, spec)));
}
