/**
 * The resource schemas a connector serves, from its profile: built once per profile and shared by
 * every request (they are immutable).
 */
import { groupResource, userResource, type ResourceSchema } from '../scim/schema/resource-schema.js';
import type { SchemaDefinition } from '../scim/schema/types.js';
import type { ProfileName } from './profiles.js';

export interface ConnectorSchemas {
  readonly user: ResourceSchema;
  readonly group: ResourceSchema;
}

/** Extensions per profile, beyond what `userResource` always has (Enterprise User). */
const PROFILE_EXTENSIONS: Record<ProfileName, { user: readonly SchemaDefinition[]; group: readonly SchemaDefinition[] }> = {
  generic: { user: [], group: [] },
};

const cache = new Map<ProfileName, ConnectorSchemas>();

export function schemasFor(profile: ProfileName): ConnectorSchemas {
  let s = cache.get(profile);
  if (!s) {
    const ext = PROFILE_EXTENSIONS[profile];
    s = { user: userResource(ext.user), group: groupResource(ext.group) };
    cache.set(profile, s);
  }
  return s;
}
