/**
 * The local SCIM endpoint as a function: DynamoDB Local (or a given endpoint), the table from the
 * shared definition, one token per connector, the local API Gateway in front of the real handler
 * and authorizer code. `npm start` (bin/local.ts) and the e2e tests both use it.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeAuthorizer } from '../../lambdas/auth/authorizer.js';
import { CachedTokenSource } from '../../lambdas/auth/token-source.js';
import type { ConnectorConfig } from '../../lambdas/connectors/config.js';
import { profileRegistry } from '../../lambdas/connectors/profiles.js';
import type { ProfileRegistry } from '../../lambdas/connectors/registry.js';
import { connectorStoreOptions, createHandlers, documentClient } from '../../lambdas/http/app.js';
import { RequestLog } from '../../lambdas/http/request-log.js';
import { ScimStore } from '../../lambdas/store/store.js';
import { createTableInput, TABLE, timeToLiveInput, type TableOptions } from '../../lambdas/store/table.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { startGateway, type Gateway, type GatewayOptions, type ProxyHandler, type RequestLine } from './gateway.js';
import { setupHandler } from '../../lambdas/setup/app.js';
import { SetupLinks } from '../../lambdas/store/setup-links.js';
import { LocalConnectionStatus } from './connection-status.js';
import type { HandlerName } from '../../lambdas/http/routes.js';
import { ensureToken, FileTokenSource } from './token-files.js';
import { ensureCursorKeyFile, fileCursorKey, newCursorKey } from './cursor-key-file.js';
import { ensureWebhookSecret, readWebhookSecret } from './webhook-secrets.js';
import { LocalWebhooks } from './webhooks.js';
import { EventSink } from './events-sink.js';
import { StreamTail } from './stream-tail.js';

export interface LocalEndpointOptions {
  readonly connectors: readonly ConnectorConfig[];
  /** Built-in and configured profiles (bin/local/config.ts); default: the built-in ones. */
  readonly profiles?: ProfileRegistry;
  /** Local state folder (tokens, DynamoDB data, endpoint.json). Default `$SCIM_LOCAL_DIR` or `.scim-local`. */
  readonly dir?: string;
  /** Default 8080; 0 = ephemeral. */
  readonly port?: number;
  /** Throwaway DynamoDB Local (no data folder) and a fresh cursor key that is never written. */
  readonly inMemory?: boolean;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local (e2e tests share one). */
  readonly dynamodbEndpoint?: string;
  readonly tableName?: string;
  /** Authorizer result TTL (API Gateway: 300 s). */
  readonly authorizerTtlSeconds?: number;
  /** Powertools log level for the handlers; default `WARN`. INFO and DEBUG also print each request's provisioning line. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  readonly onRequest?: (line: RequestLine) => void;
  /** `scim:allowedSourceCidrs`: the source-address fence of connectors without their own list (bin/local/source-fence.ts). */
  readonly defaultAllowedSourceCidrs?: readonly string[];
  /** Tests only: the client address the gateway's fence sees (see GatewayOptions.clientAddress). */
  readonly clientAddress?: GatewayOptions['clientAddress'];
  /**
   * Change events (`npm start`): tail the table's stream through the production mapping into a
   * JSON-lines file and, optionally, a webhook (bin/local/events-sink.ts). Off unless given.
   */
  readonly events?: {
    readonly file: string;
    readonly webhookUrl?: string;
    readonly onError?: (message: string) => void;
    /** Webhook retry delays (ms) of the connectors' signed deliveries; default 1, 2, 5, 10, 30 s (tests: shorter). */
    readonly webhookDelaysMs?: readonly number[];
  };
  /**
   * Hooks for the benchmarks (test/bench): see the DynamoDB client the handlers use (to add a
   * metering middleware) and wrap each handler (per-request context and timing). Not for `npm start`.
   */
  readonly instrument?: {
    readonly documentClient?: (doc: DynamoDBDocumentClient) => void;
    readonly handler?: (name: HandlerName, handler: ProxyHandler) => ProxyHandler;
    /** The handlers' per-request provisioning lines (as deployed: with EMF); default none. */
    readonly requestLog?: (name: HandlerName) => RequestLog;
  };
}

export interface ConnectorEndpoint {
  readonly tenantUrl: string;
  readonly token: string;
  /** The connector's `webhook` setting (webhook connectors only). */
  readonly webhook?: { readonly url: string; readonly kinds?: readonly string[] };
  /** The current webhook signing secret (`.scim-local/webhooks/<connector>.json`; webhook connectors only). */
  readonly webhookSecret?: string;
}

export interface LocalEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly connectors: Readonly<Record<string, ConnectorEndpoint>>;
  /** The JSON file holding `connectors` (mode 0600). */
  readonly connectorsFile: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly gateway: Gateway;
  /** The change events file, when `events` was given. */
  readonly eventsFile?: string;
  /** The webhook connectors' deliveries, when `events` was given and a connector has a webhook. */
  readonly webhooks?: LocalWebhooks;
  stop(): Promise<void>;
}

export function defaultLocalDir(): string {
  return resolve(process.env.SCIM_LOCAL_DIR ?? '.scim-local');
}

/** Creates the table (and its TTL setting) unless it exists; `streams: false` when nothing tails it (see createTableInput). */
export async function ensureTable(client: DynamoDBClient, tableName: string, opts: TableOptions = {}): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName, opts)));
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName))).catch(() => undefined);
  return true;
}

function activityRecorder(file: string) {
  const last: Record<string, { lastSuccess: string }> = {};
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (Object.keys(last).length > 0) writeFileSync(file, JSON.stringify(last, null, 2) + '\n');
  };
  return {
    flush,
    record(line: { path: string; status: number }) {
      const connector = line.path.split('/')[1];
      if (!connector || line.status >= 400) return;
      last[connector] = { lastSuccess: new Date().toISOString() };
      timer ??= setTimeout(flush, 1000).unref();
    },
  };
}

export async function startLocalEndpoint(options: LocalEndpointOptions): Promise<LocalEndpoint> {
  const dir = resolve(options.dir ?? defaultLocalDir());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tableName = options.tableName ?? TABLE.defaultName;

  let ddb: DynamoDbLocal | undefined;
  const endpoint =
    options.dynamodbEndpoint ??
    (ddb = await startDynamoDbLocal(options.inMemory ? {} : { dbPath: join(dir, 'dynamodb') })).endpoint;
  const stops: (() => Promise<void>)[] = [];
  if (ddb) stops.push(() => ddb.stop());

  try {
    const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(client, tableName, { streams: options.events !== undefined });
    client.destroy();

    // Webhook signing secrets (token-file shape, mode 0600), created on first use.
    const webhookDir = join(dir, 'webhooks');
    const webhookConnectors = options.connectors.filter((c) => c.webhook !== undefined);
    for (const c of webhookConnectors) ensureWebhookSecret(webhookDir, c.name);
    let webhooks: LocalWebhooks | undefined;

    if (options.events) {
      if (webhookConnectors.length > 0) {
        webhooks = new LocalWebhooks({
          targets: webhookConnectors.map((c) => ({
            connector: c.name,
            url: c.webhook!.url,
            ...(c.webhook!.kinds ? { kinds: c.webhook!.kinds } : {}),
            secrets: () => readWebhookSecret(webhookDir, c.name),
          })),
          ...(options.events.webhookDelaysMs ? { delaysMs: options.events.webhookDelaysMs } : {}),
          ...(options.events.onError ? { onGiveUp: options.events.onError } : {}),
        });
        const w = webhooks;
        stops.unshift(() => w.stop());
      }
      const sink = new EventSink({
        file: options.events.file,
        ...(options.events.webhookUrl ? { webhookUrl: options.events.webhookUrl } : {}),
        ...(options.events.onError ? { onWebhookError: options.events.onError } : {}),
        ...(webhooks ? { webhooks } : {}),
      });
      const onError = options.events.onError;
      const tail = new StreamTail({
        endpoint,
        tableName,
        start: 'LATEST',
        onRecords: async (records) => void (await sink.handle(records)),
        onError: (e) => onError?.(`change events: ${(e as Error)?.message ?? String(e)}`),
      });
      await tail.init();
      tail.start();
      stops.unshift(() => tail.stop());
    }

    // Last successful request per connector, for `scim-admin --local connectors` (written at most once a second).
    const activity = activityRecorder(join(dir, 'activity.json'));
    stops.push(async () => activity.flush());

    const tokenDir = join(dir, 'tokens');
    const tokens = Object.fromEntries(options.connectors.map((c) => [c.name, ensureToken(tokenDir, c.name).current]));

    const logLevel = options.logLevel ?? 'WARN';
    const logger = (handler: string) => new Logger({ serviceName: 'scim', logLevel, persistentKeys: { handler } });
    // The deployed handlers' per-request line (with its EMF metric) goes to stdout at INFO or DEBUG, as in Lambda.
    const requestLog =
      options.instrument?.requestLog ?? (logLevel === 'INFO' || logLevel === 'DEBUG' ? (handler: HandlerName) => new RequestLog({ handler }) : undefined);
    const profiles = options.profiles ?? profileRegistry();
    const doc = documentClient(endpoint);
    stops.push(async () => doc.destroy());
    options.instrument?.documentClient?.(doc);
    // Paging cursors' signing key: `<dir>/cursor-key`, reused across restarts (bin/local/cursor-key-file.ts).
    const cursorSecret = options.inMemory ? newCursorKey() : fileCursorKey(ensureCursorKeyFile(dir));
    const store = new ScimStore({ doc, tableName, connectorOptions: connectorStoreOptions(options.connectors, profiles), cursorSecret });
    const created: Record<HandlerName, ProxyHandler> = createHandlers({ connectors: options.connectors, profiles, store, logger, ...(requestLog ? { requestLog } : {}) });
    const wrap = options.instrument?.handler;
    const handlers: Record<HandlerName, ProxyHandler> = wrap
      ? { users: wrap('users', created.users), groups: wrap('groups', created.groups), discovery: wrap('discovery', created.discovery) }
      : created;
    const authorizer = makeAuthorizer({
      source: new CachedTokenSource(new FileTokenSource(tokenDir)),
      connectors: new Set(options.connectors.map((c) => c.name)),
      logger: logger('authorizer'),
    });
    // The setup page (scim-admin --local setup-link): links in the same table, status from the request lines.
    const connectionStatus = new LocalConnectionStatus(new Map(options.connectors.map((c) => [c.name, c.basePath])));
    const setup = setupHandler({
      connectors: options.connectors,
      profiles,
      links: new SetupLinks(doc, tableName),
      tokens: new FileTokenSource(tokenDir),
      status: connectionStatus,
      logger: logger('setup'),
      writeMetric: () => undefined,
    });
    const gateway = await startGateway({
      connectors: options.connectors,
      handlers,
      setup: (event) => setup(event),
      authorizer: (event) => authorizer(event),
      port: options.port ?? 8080,
      ...(options.authorizerTtlSeconds !== undefined ? { authorizerTtlSeconds: options.authorizerTtlSeconds } : {}),
      ...(options.defaultAllowedSourceCidrs ? { defaultAllowedSourceCidrs: options.defaultAllowedSourceCidrs } : {}),
      ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}),
      onRequest: (line) => {
        activity.record(line);
        connectionStatus.record(line);
        options.onRequest?.(line);
      },
    });
    stops.unshift(() => gateway.close());

    const connectors: Record<string, ConnectorEndpoint> = {};
    for (const c of options.connectors) {
      connectors[c.name] = {
        tenantUrl: `${gateway.url}/${c.name}/${c.basePath}`,
        token: tokens[c.name] as string,
        ...(c.webhook ? { webhook: c.webhook, webhookSecret: readWebhookSecret(webhookDir, c.name).current } : {}),
      };
    }
    const connectorsFile = join(dir, 'connectors.json');
    writeFileSync(connectorsFile, JSON.stringify(connectors, null, 2) + '\n', { mode: 0o600 });
    chmodSync(connectorsFile, 0o600); // it holds the tokens
    // Where a running endpoint's data is, for `scim-admin --local` (removed on stop).
    const endpointFile = join(dir, 'endpoint.json');
    writeFileSync(endpointFile, JSON.stringify({ url: gateway.url, dynamodbEndpoint: endpoint, tableName, pid: process.pid }, null, 2) + '\n', { mode: 0o600 });
    stops.push(async () => rmSync(endpointFile, { force: true }));

    let stopped = false;
    return {
      url: gateway.url,
      connectors,
      connectorsFile,
      dynamodbEndpoint: endpoint,
      tableName,
      gateway,
      ...(options.events ? { eventsFile: options.events.file } : {}),
      ...(webhooks ? { webhooks } : {}),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const s of stops) await s();
      },
    };
  } catch (e) {
    for (const s of stops) await s().catch(() => undefined);
    throw e;
  }
}
