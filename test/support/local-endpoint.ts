/**
 * A local endpoint (real handlers on an ephemeral loopback port) serving the single connector
 * `alpha` on a fresh table of the DynamoDB Local global setup, with its own token folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { assertLoopback } from './ddb.js';

type Instrument = Parameters<typeof startLocalEndpoint>[0]['instrument'];

/** `name` prefixes the temp folder and the table; `stop` stops the endpoint and removes the folder. */
export async function startAlphaEndpoint(name: string, instrument?: Instrument): Promise<{ endpoint: LocalEndpoint; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `scim-${name}-`));
  const endpoint = await startLocalEndpoint({
    connectors: parseConnectors([{ name: 'alpha' }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `${name}-${randomBytes(4).toString('hex')}`,
    logLevel: 'SILENT',
    ...(instrument ? { instrument } : {}),
  });
  return {
    endpoint,
    stop: async () => {
      await endpoint.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
