/**
 * The profile names a connector may use, without the profiles themselves: the config schema
 * (config.ts) validates against this list, and the authorizer bundle, which reads the config but
 * never applies a profile, stays free of the SCIM schemas. PROFILES (profiles.ts) must have an
 * entry for each name (a compile error otherwise).
 */

export const PROFILE_NAMES = ['generic', 'askspoke', 'spaceiq', 'jostle', 'ideo'] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}
