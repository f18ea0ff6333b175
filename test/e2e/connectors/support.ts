/**
 * The tutorials' e2e support: a local endpoint serving exactly the connectors of cdk.json (what
 * `npm start` serves: default, askspoke, spaceiq, jostle, ideo), on a fresh table, plus the query
 * shapes Entra and Okta put in URLs. `startConfiguredConnectors` serves cdk.json plus the profiles
 * of test/fixtures/configured-profiles.json (`scim:profiles`), one connector each, read through
 * the same code as `npm start`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdkConnectorSetup, readCdkConnectors, type CdkConnectorSetup } from '../../../bin/local/config.js';
import { startLocalEndpoint } from '../../../bin/local/endpoint.js';
import { assertLoopback } from '../../support/ddb.js';
import { ScimClient, type Local } from '../support/local.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** `scim:profiles` of the e2e tests: acme (the README example), jostle-config and askspoke-config (parity). */
export const CONFIGURED_PROFILES = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'configured-profiles.json'), 'utf8')) as Record<string, unknown>;

/** cdk.json with `scim:profiles` and one connector per configured profile (named like it), as `npm start` would read it. */
export function configuredSetup(): CdkConnectorSetup {
  const cdk = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const connectors = [...(cdk.context['scim:connectors'] as unknown[]), ...Object.keys(CONFIGURED_PROFILES).map((name) => ({ name, profile: name }))];
  const dir = mkdtempSync(join(tmpdir(), 'scim-e2e-cdk-json-'));
  try {
    const file = join(dir, 'cdk.json');
    writeFileSync(file, JSON.stringify({ ...cdk, context: { ...cdk.context, 'scim:connectors': connectors, 'scim:profiles': CONFIGURED_PROFILES } }));
    return readCdkConnectorSetup(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startCdkConnectors(): Promise<Local> {
  return startConnectors({ connectors: readCdkConnectors() });
}

/** cdk.json's connectors plus acme, jostle-config and askspoke-config on their configured profiles. */
export async function startConfiguredConnectors(): Promise<Local> {
  return startConnectors(configuredSetup());
}

async function startConnectors(setup: Pick<CdkConnectorSetup, 'connectors'> & Partial<CdkConnectorSetup>): Promise<Local> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-e2e-connectors-'));
  const endpoint = await startLocalEndpoint({
    connectors: setup.connectors,
    ...(setup.profiles ? { profiles: setup.profiles } : {}),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `e2e-conn-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    logLevel: 'SILENT',
  });
  return {
    endpoint,
    client: (connector, token) => {
      const c = endpoint.connectors[connector];
      if (!c) throw new Error(`no connector ${connector} in cdk.json`);
      return new ScimClient(c.tenantUrl, token === undefined ? c.token : token);
    },
    stop: async () => {
      await endpoint.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `attr eq "v"` the way Entra writes it into the URL (spaces as `+`, quotes as `%22`). */
export function entraEq(attr: string, value: string): string {
  return `filter=${attr}+eq+%22${encodeURIComponent(value)}%22`;
}

/** `attr eq "v"` the way Okta writes it (`%20`). */
export function oktaEq(attr: string, value: string): string {
  return `filter=${encodeURIComponent(`${attr} eq "${value}"`)}`;
}

/** Entra's PATCH operation (capitalised op names). */
export function op(name: 'Add' | 'Replace' | 'Remove', path: string | undefined, value?: unknown): Record<string, unknown> {
  return { op: name, ...(path !== undefined ? { path } : {}), ...(value !== undefined ? { value } : {}) };
}
