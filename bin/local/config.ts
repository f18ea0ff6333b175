/**
 * Reads the connector configuration for `npm start` from the same place the CDK app reads it:
 * the `scim:connectors` context of cdk.json. Validation is shared (lambdas/connectors/config.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConnectors, type ConnectorConfig } from '../../lambdas/connectors/config.js';
import { CONTEXT_KEY } from '../../lambdas/connectors/deployed.js';

export function readCdkConnectors(cdkJsonPath = join(import.meta.dirname, '..', '..', 'cdk.json')): ConnectorConfig[] {
  let json: { context?: Record<string, unknown> };
  try {
    json = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as typeof json;
  } catch (e) {
    throw new Error(`cannot read ${cdkJsonPath}: ${(e as Error).message}`);
  }
  return parseConnectors(json.context?.[CONTEXT_KEY]);
}
