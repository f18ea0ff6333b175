/**
 * The bench environment: one DynamoDB Local (in memory, loopback), the real local endpoint on it
 * (gateway → authorizer → handlers, which write their per-request lines as deployed, counted
 * instead of printed) with the probe attached, and a raw SDK client on the same DynamoDB Local for
 * the ceiling and for seeding. Everything is stopped on exit, errors and signals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../bin/local/dynamodb-local.js';
import { ensureTable, startLocalEndpoint, type LocalEndpoint } from '../../../bin/local/endpoint.js';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { RequestLog } from '../../../lambdas/http/request-log.js';
import { assertLoopback } from '../../support/ddb.js';
import { BenchClient } from './http.js';
import { Probe } from './probe.js';

export interface BenchEnv {
  endpoint: LocalEndpoint;
  probe: Probe;
  /** What the handlers wrote as their per-request lines (as deployed: provisioning line + EMF). */
  logs: { lines: number; bytes: number };
  /** Raw client on the same DynamoDB Local (not metered). */
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  client(connector: string, sockets?: number): BenchClient;
  stop(): Promise<void>;
}

export const BENCH_CONNECTORS = ['cost', 'sync8', 'sync16', 'solo', 'groups', 'paging'] as const;

export function rawClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: assertLoopback(endpoint),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 10,
  });
}

const cleanups = new Set<() => Promise<void>>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const bail = (code: number) => {
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail(130));
  process.once('SIGTERM', () => bail(143));
}

/**
 * `dynamodbEndpoint`: reuse a running DynamoDB Local (the e2e global setup); default: start one.
 */
export async function startBenchEnv(opts: { dynamodbEndpoint?: string; connectors?: readonly string[] } = {}): Promise<BenchEnv> {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), 'scim-bench-'));
  let ddb: DynamoDbLocal | undefined;
  let endpoint: LocalEndpoint | undefined;
  let raw: DynamoDBClient | undefined;
  const stop = async (): Promise<void> => {
    cleanups.delete(stop);
    raw?.destroy();
    await endpoint?.stop().catch(() => undefined);
    await ddb?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(stop);
  try {
    const ddbEndpoint = opts.dynamodbEndpoint ?? (ddb = await startDynamoDbLocal()).endpoint;
    const tableName = `bench-${Date.now().toString(36)}`;
    raw = rawClient(ddbEndpoint);
    await ensureTable(raw, tableName);
    const probe = new Probe();
    const logs = { lines: 0, bytes: 0 };
    // The handlers write their per-request line as deployed (its cost is part of handler time); the
    // bench only counts it instead of printing it.
    const requestLog = (handler: string) =>
      new RequestLog({
        handler,
        write: (line) => {
          logs.lines++;
          logs.bytes += Buffer.byteLength(line);
        },
      });
    endpoint = await startLocalEndpoint({
      connectors: parseConnectors((opts.connectors ?? BENCH_CONNECTORS).map((name) => ({ name }))),
      dir,
      port: 0,
      dynamodbEndpoint: ddbEndpoint,
      tableName,
      logLevel: 'SILENT',
      instrument: { ...probe.instrument, requestLog },
    });
    const ep = endpoint;
    const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    return {
      endpoint: ep,
      probe,
      logs,
      raw,
      doc,
      tableName,
      client: (connector, sockets) => {
        const c = ep.connectors[connector];
        if (!c) throw new Error(`no connector ${connector}`);
        return new BenchClient(c.tenantUrl, c.token, sockets);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
