/**
 * Connector profiles: which SCIM schema extensions a connector serves. Only `generic` exists so far
 * (core User + EnterpriseUser + core Group); app-specific profiles add their extension URNs here.
 */

export const PROFILE_NAMES = ['generic'] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}
