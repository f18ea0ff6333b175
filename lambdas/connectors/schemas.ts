/**
 * The resource schemas a connector serves, from its resolved profile (built once per profile,
 * shared by every request: they are immutable).
 */
import type { ResourceSchema } from '../scim/schema/resource-schema.js';
import type { ProfileShape } from './rules.js';

export interface ConnectorSchemas {
  readonly user: ResourceSchema;
  readonly group: ResourceSchema;
}

/** The resource types the profile offers (Group left out for users-only apps), User first. */
export function offeredSchemas(p: ProfileShape): ResourceSchema[] {
  return p.offers('Group') ? [p.schemas.user, p.schemas.group] : [p.schemas.user];
}
