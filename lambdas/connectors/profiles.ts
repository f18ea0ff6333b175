/**
 * The built-in profiles: the apps this repository ships a profile for, written in TypeScript
 * (`profiles/*.ts`). A connector may also name a profile declared in configuration
 * (`scim:profiles`); the registries built here (registry.ts) hold both. A new built-in = one file under `profiles/`
 * plus its name in PROFILE_NAMES (profile-names.ts) and its entry in PROFILES (the Record type
 * makes a missing entry a compile error).
 */
import { PROFILE_NAMES, isProfileName, type ProfileName } from './profile-names.js';
import type { ConnectorProfile } from './profile.js';
import { ProfileRegistry } from './registry.js';
import { resolveProfile, resolveShape, type ProfileShape } from './rules.js';
import { askspoke } from './profiles/askspoke.js';
import { generic } from './profiles/generic.js';
import { ideo } from './profiles/ideo.js';
import { jostle } from './profiles/jostle.js';
import { spaceiq } from './profiles/spaceiq.js';

export { PROFILE_NAMES, isProfileName, type ProfileName };

export const PROFILES: Readonly<Record<ProfileName, ConnectorProfile>> = { generic, askspoke, spaceiq, jostle, ideo };

/** Every built-in profile, in PROFILE_NAMES order. */
export const BUILT_IN_PROFILES: readonly ConnectorProfile[] = PROFILE_NAMES.map((n) => PROFILES[n]);

/** Built-in and `configured` profiles, resolved with their rules: what serves SCIM requests. */
export function profileRegistry(configured: readonly ConnectorProfile[] = []): ProfileRegistry {
  return new ProfileRegistry(resolveProfile, BUILT_IN_PROFILES, configured);
}

/** The same profiles, schemas only: discovery, which applies no rule (and so bundles no rule compiler). */
export function schemaRegistry(configured: readonly ConnectorProfile[] = []): ProfileRegistry<ProfileShape> {
  return new ProfileRegistry(resolveShape, BUILT_IN_PROFILES, configured);
}
