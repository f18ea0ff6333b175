/**
 * A connector profile declared in configuration (`scim:profiles` in cdk.json) rather than in a
 * `profiles/*.ts` file. This is the JSON form the CDK app and `npm start` produce once they have
 * validated it (profile-config.ts), and that the Lambdas receive (deployed-profiles.ts): the
 * same fields as ConnectorProfile, with every attribute characteristic spelled out and each
 * `dropInvalid` rule's `accept` a spec (never a function).
 *
 * Under its name it is a ConnectorProfile (`profileFromSpec`), indistinguishable from a code one:
 * both go through resolveProfile (rules.ts, which compiles accept specs) and the same service code.
 */
import type { AcceptSpec, AttributeRules, ConnectorProfile, OfferedResource, ValueRule } from './profile.js';

export type { AcceptSpec };

/** A `dropInvalid` rule of a configured profile: `accept` is always a spec. */
export interface ValueRuleSpec extends ValueRule {
  readonly accept: AcceptSpec;
}

export interface AttributeRulesSpec extends AttributeRules {
  readonly dropInvalid?: readonly ValueRuleSpec[];
}

export interface ProfileSpec extends Omit<ConnectorProfile, 'name' | 'rules'> {
  readonly rules?: { readonly [K in OfferedResource]?: AttributeRulesSpec };
}

/** Configured profiles by name. */
export type ProfileSpecs = Readonly<Record<string, ProfileSpec>>;

/** The cdk.json context key of configured profiles. */
export const PROFILES_CONTEXT_KEY = 'scim:profiles';

/** Bad configured profiles; `problems` name each field (`scim:profiles.acme.resourceTypes: …`). */
export class ProfileConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid ${PROFILES_CONTEXT_KEY}:\n  ${problems.join('\n  ')}`);
    this.name = 'ProfileConfigError';
  }
}

/** The ConnectorProfile a configured profile stands for: the same data under its name. */
export function profileFromSpec(name: string, spec: ProfileSpec): ConnectorProfile {
  return { ...spec, name };
}
