/**
 * The profile registry: every profile a connector may name in `scim:connectors[].profile`.
 * Adding an app = one file under `profiles/` plus its name in PROFILE_NAMES (profile-names.ts)
 * and its entry in PROFILES (the Record type makes a missing entry a compile error). Profiles are
 * resolved once (schemas built, rule paths checked) and shared by every request.
 */
import { PROFILE_NAMES, isProfileName, type ProfileName } from './profile-names.js';
import type { ConnectorProfile } from './profile.js';
import { askspoke } from './profiles/askspoke.js';
import { generic } from './profiles/generic.js';
import { ideo } from './profiles/ideo.js';
import { jostle } from './profiles/jostle.js';
import { spaceiq } from './profiles/spaceiq.js';
import { resolveProfile, type ResolvedProfile } from './rules.js';

export { PROFILE_NAMES, isProfileName, type ProfileName };

export const PROFILES: Readonly<Record<ProfileName, ConnectorProfile>> = { generic, askspoke, spaceiq, jostle, ideo };

const resolved = new Map<ProfileName, ResolvedProfile>();

/** The resolved profile (cached). Throws ProfileError when the profile itself is malformed. */
export function profileFor(name: ProfileName): ResolvedProfile {
  let p = resolved.get(name);
  if (!p) {
    const profile = PROFILES[name];
    if (profile.name !== name) throw new Error(`profile registered as "${name}" is named "${profile.name}"`);
    p = resolveProfile(profile);
    resolved.set(name, p);
  }
  return p;
}
