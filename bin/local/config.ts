/**
 * Reads the connector configuration for `npm start` from the same place the CDK app reads it:
 * the `scim:connectors` context of cdk.json (and `scim:allowedSourceCidrs`, the default
 * source-address fence) with the profiles they may name (built-in + `scim:profiles`).
 * Validation is shared (lambdas/connectors/config.ts, profile-config.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SOURCE_CIDRS_KEY, parseConnectors, parseDefaultSourceCidrs, type ConnectorConfig } from '../../lambdas/connectors/config.js';
import { CONTEXT_KEY, ConnectorConfigError } from '../../lambdas/connectors/deployed.js';
import { declaredProfileNames, parseProfiles } from '../../lambdas/connectors/profile-config.js';
import { PROFILES_CONTEXT_KEY, ProfileConfigError } from '../../lambdas/connectors/profile-spec.js';
import { profileRegistry } from '../../lambdas/connectors/profiles.js';
import type { ProfileRegistry } from '../../lambdas/connectors/registry.js';

const CDK_JSON = join(import.meta.dirname, '..', '..', 'cdk.json');

function readCdkContext(cdkJsonPath: string): Record<string, unknown> {
  let json: { context?: Record<string, unknown> };
  try {
    json = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as typeof json;
  } catch (e) {
    throw new Error(`cannot read ${cdkJsonPath}: ${(e as Error).message}`);
  }
  return json.context ?? {};
}

/** cdk.json's connectors or profiles are invalid: every problem of both keys, each naming its field. */
export class CdkContextError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid cdk.json context:\n  ${problems.join('\n  ')}`);
    this.name = 'CdkContextError';
  }
}

export interface CdkConnectorSetup {
  readonly connectors: ConnectorConfig[];
  /** Built-in profiles and those of `scim:profiles`. */
  readonly profiles: ProfileRegistry;
}

/** `scim:connectors` and `scim:profiles`, validated together as `cdk synth` does (lib/config.ts). */
export function readCdkConnectorSetup(cdkJsonPath = CDK_JSON): CdkConnectorSetup {
  const context = readCdkContext(cdkJsonPath);
  const problems: string[] = [];
  let profiles = profileRegistry();
  try {
    profiles = parseProfiles(context[PROFILES_CONTEXT_KEY]).registry;
  } catch (e) {
    if (!(e instanceof ProfileConfigError)) throw e;
    problems.push(...e.problems);
  }
  let connectors: ConnectorConfig[] = [];
  try {
    connectors = parseConnectors(context[CONTEXT_KEY], declaredProfileNames(context[PROFILES_CONTEXT_KEY]));
  } catch (e) {
    if (!(e instanceof ConnectorConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length > 0) throw new CdkContextError(problems);
  return { connectors, profiles };
}

export function readCdkConnectors(cdkJsonPath = CDK_JSON): ConnectorConfig[] {
  return readCdkConnectorSetup(cdkJsonPath).connectors;
}

/** `scim:allowedSourceCidrs` of cdk.json; undefined when not set (no default fence). */
export function readCdkDefaultSourceCidrs(cdkJsonPath = CDK_JSON): string[] | undefined {
  return parseDefaultSourceCidrs(readCdkContext(cdkJsonPath)[DEFAULT_SOURCE_CIDRS_KEY]);
}
