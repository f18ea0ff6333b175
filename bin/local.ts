/**
 * `npm start`: the local SCIM endpoint. DynamoDB Local (persistent under `$SCIM_LOCAL_DIR`,
 * default `.scim-local`; `--in-memory` for a throwaway store) + the local API Gateway on
 * 127.0.0.1:$PORT (default 8080) serving every connector of cdk.json's `scim:connectors`.
 * Prints each connector's Tenant URL and Secret Token; Ctrl-C stops everything. Change events are
 * appended to `$SCIM_LOCAL_DIR/events.jsonl` (and POSTed to `$SCIM_WEBHOOK_URL` when set).
 */
import { JavaMissingError } from './local/dynamodb-local.js';
import { readCdkConnectors } from './local/config.js';
import { defaultLocalDir, startLocalEndpoint } from './local/endpoint.js';
import { WEBHOOK_ENV } from './local/events-sink.js';
import { join } from 'node:path';

async function main(): Promise<void> {
  // The SDK warns that its 2027 releases need Node 22; Lambda runs Node 22 and the pinned SDK runs
  // here, so the warning only confuses a newcomer reading the Tenant URLs (set before any client).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--in-memory' && a !== '--quiet');
  if (unknown.length > 0) {
    console.error(`unknown option(s): ${unknown.join(' ')}\nusage: npm start [-- --in-memory] [--quiet]   (env: PORT, SCIM_LOCAL_DIR, SCIM_WEBHOOK_URL)`);
    process.exit(2);
  }
  const inMemory = args.includes('--in-memory');
  const quiet = args.includes('--quiet');
  const port = process.env.PORT ? Number(process.env.PORT) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);

  const connectors = readCdkConnectors();
  const dir = defaultLocalDir();
  const endpoint = await startLocalEndpoint({
    connectors,
    dir,
    port,
    inMemory,
    logLevel: 'WARN',
    events: {
      file: join(dir, 'events.jsonl'),
      ...(process.env[WEBHOOK_ENV] ? { webhookUrl: process.env[WEBHOOK_ENV] } : {}),
      onError: (m) => console.error(m),
    },
    ...(quiet ? {} : { onRequest: (r) => console.log(`${r.method} ${r.path} → ${r.status} (${r.ms} ms)`) }),
  });

  const lines = [
    `SCIM endpoint on ${endpoint.url} (DynamoDB Local: ${inMemory ? 'in memory' : `${dir}/dynamodb`})`,
    '',
  ];
  for (const [name, c] of Object.entries(endpoint.connectors)) {
    lines.push(`Connector "${name}"`, `  Tenant URL:   ${c.tenantUrl}`, `  Secret Token: ${c.token}`, '');
  }
  lines.push(`The same as JSON: ${endpoint.connectorsFile}`);
  lines.push(`Change events: ${endpoint.eventsFile}${process.env[WEBHOOK_ENV] ? ` and POST ${process.env[WEBHOOK_ENV]}` : ` (set ${WEBHOOK_ENV} to also POST them)`}`);
  const first = Object.values(endpoint.connectors)[0];
  if (first) lines.push(`Try: curl -H "Authorization: Bearer ${first.token}" ${first.tenantUrl}/Users`);
  lines.push('Ctrl-C to stop.');
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    endpoint.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  if (e instanceof JavaMissingError) console.error(e.message);
  else if ((e as NodeJS.ErrnoException)?.code === 'EADDRINUSE') console.error(`Port ${process.env.PORT ?? 8080} is in use: set PORT to another port (PORT=8081 npm start).`);
  else console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
