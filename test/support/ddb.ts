/**
 * DynamoDB clients for tests. Refuses any endpoint that is not loopback (tests must never reach
 * a real AWS account), and gives each test file its own freshly created table from the shared
 * definition in lambdas/store/table.ts.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, timeToLiveInput, type TableOptions } from '../../lambdas/store/table.js';
import { attachMeter, type Meter } from '../../lambdas/store/metering.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Throws unless `endpoint` is an http(s) URL on a loopback host. */
export function assertLoopback(endpoint: string | undefined): string {
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: the int tests need the DynamoDB Local global setup');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`refusing DynamoDB endpoint ${JSON.stringify(endpoint)}: not a URL`);
  }
  if (!/^https?:$/.test(url.protocol) || !LOOPBACK.has(url.hostname) || url.username || url.password)
    throw new Error(`refusing DynamoDB endpoint ${endpoint}: tests only talk to DynamoDB Local on loopback`);
  return endpoint;
}

export function testClient(endpoint: string | undefined = process.env.DYNAMODB_ENDPOINT): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: assertLoopback(endpoint),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

export interface TestTable {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  meter: Meter;
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named table (call once per test file, in beforeAll). No stream unless the test
 * reads it: DynamoDB Local's stream bookkeeping makes every table created after a big one slow to
 * write (see createTableInput), and int files share one DynamoDB Local.
 */
export async function createTestTable(prefix = 'test', opts: TableOptions = {}): Promise<TestTable> {
  const client = testClient();
  const meter = attachMeter(client);
  const tableName = `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateTableCommand(createTableInput(tableName, { streams: opts.streams ?? false })));
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName))).catch(() => undefined);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    doc,
    tableName,
    meter,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
    },
  };
}
