/**
 * The soak's server process: the local endpoint (gateway + real handlers + authorizer) in a child
 * process of its own, so its memory is measured apart from the load generator's. Talks over IPC:
 * `ready` (tenant URLs and tokens), `mem` (RSS and heap after a GC), `stop`.
 * DynamoDB: SOAK_DYNAMODB_ENDPOINT (loopback) or a throwaway in-memory DynamoDB Local.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startLocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { assertLoopback } from '../support/ddb.js';

const dir = mkdtempSync(join(tmpdir(), 'scim-soak-'));
const ddbEndpoint = process.env.SOAK_DYNAMODB_ENDPOINT;
const endpoint = await startLocalEndpoint({
  connectors: parseConnectors([{ name: 'entra' }, { name: 'okta' }]),
  dir,
  port: 0,
  inMemory: true,
  logLevel: 'SILENT',
  tableName: `soak-${randomBytes(4).toString('hex')}`,
  ...(ddbEndpoint ? { dynamodbEndpoint: assertLoopback(ddbEndpoint) } : {}),
});

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (m: { type: string }) => {
  if (m.type === 'mem') {
    gc?.();
    const u = process.memoryUsage();
    process.send?.({ type: 'mem', rss: u.rss, heapUsed: u.heapUsed });
  } else if (m.type === 'stop') {
    void endpoint.stop().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
process.on('disconnect', () => {
  void endpoint.stop().finally(() => process.exit(0));
});
process.send?.({ type: 'ready', connectors: endpoint.connectors });
