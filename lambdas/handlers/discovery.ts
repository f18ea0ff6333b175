/** Lambda entry: ServiceProviderConfig, ResourceTypes, Schemas (built once per container). */
import { connectorsFromEnv } from '../connectors/deployed.js';
import { deployedProfiles } from '../connectors/deployed-profiles.js';
import { schemaRegistry } from '../connectors/profiles.js';
import { discoveryHandler } from '../http/discovery-app.js';

// Discovery serves schemas and applies no rule: schemas only (no rule compiler or pattern engine here).
const profiles = deployedProfiles(schemaRegistry);
export const handler = discoveryHandler(connectorsFromEnv(process.env, profiles), profiles);
