/**
 * The names of the built-in profiles, without the profiles themselves: the authorizer bundle,
 * which reads the connector list but never applies a profile, stays free of the SCIM schemas.
 * PROFILES (profiles.ts) must have an entry for each name (a compile error otherwise). Connectors
 * may also name configured profiles (`scim:profiles`), which only the registry knows.
 */

export const PROFILE_NAMES = ['generic', 'askspoke', 'spaceiq', 'jostle', 'ideo'] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}
