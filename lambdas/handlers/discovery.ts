/** Lambda entry: ServiceProviderConfig, ResourceTypes, Schemas (built once per container). */
import { connectorsFromEnv } from '../connectors/deployed.js';
import { discoveryHandler } from '../http/discovery-app.js';

export const handler = discoveryHandler(connectorsFromEnv());
