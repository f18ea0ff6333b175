/** Lambda entry: ServiceProviderConfig, ResourceTypes, Schemas (built once per container). */
import { connectorsFromEnv } from '../connectors/config.js';
import { discoveryHandler } from '../http/discovery-app.js';

export const handler = discoveryHandler(connectorsFromEnv());
