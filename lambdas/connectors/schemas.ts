/**
 * The resource schemas a connector serves, from its profile (built once per profile, shared by
 * every request: they are immutable).
 */
import type { ResourceSchema } from '../scim/schema/resource-schema.js';
import { profileFor, type ProfileName } from './profiles.js';

export interface ConnectorSchemas {
  readonly user: ResourceSchema;
  readonly group: ResourceSchema;
}

export function schemasFor(profile: ProfileName): ConnectorSchemas {
  return profileFor(profile).schemas;
}

/** The resource types the profile offers (Group left out for users-only apps), User first. */
export function offeredSchemas(profile: ProfileName): ResourceSchema[] {
  const p = profileFor(profile);
  return p.offers('Group') ? [p.schemas.user, p.schemas.group] : [p.schemas.user];
}
