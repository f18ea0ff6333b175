/**
 * The tutorials' e2e support: a local endpoint serving exactly the connectors of cdk.json (what
 * `npm start` serves: default, askspoke, spaceiq, jostle, ideo), on a fresh table, plus the query
 * shapes Entra and Okta put in URLs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdkConnectors } from '../../../bin/local/config.js';
import { startLocalEndpoint } from '../../../bin/local/endpoint.js';
import { assertLoopback } from '../../support/ddb.js';
import { ScimClient, type Local } from '../support/local.js';

export async function startCdkConnectors(): Promise<Local> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-e2e-connectors-'));
  const endpoint = await startLocalEndpoint({
    connectors: readCdkConnectors(),
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
