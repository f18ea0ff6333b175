/**
 * `npm start`: the local SCIM endpoint. DynamoDB Local (persistent under `$SCIM_LOCAL_DIR`,
 * default `.scim-local`; `--in-memory` for a throwaway store) + the local API Gateway on
 * 127.0.0.1:$PORT (default 8080) serving every connector of cdk.json's `scim:connectors`.
 * Prints each connector's Tenant URL and Secret Token; Ctrl-C stops everything. Change events are
 * appended to `$SCIM_LOCAL_DIR/events.jsonl` (and POSTed to `$SCIM_WEBHOOK_URL` when set); a
 * connector with a `webhook` gets its events POSTed there, signed, with retries (give-ups on stderr).
 */
import { JavaMissingError } from './local/dynamodb-local.js';
import { readCdkConnectorSetup, readCdkDefaultSourceCidrs } from './local/config.js';
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

  // Connectors with the profiles they name (built-in and scim:profiles), validated as cdk synth does.
  const { connectors, profiles } = readCdkConnectorSetup();
  const defaultAllowedSourceCidrs = readCdkDefaultSourceCidrs();
  const dir = defaultLocalDir();
  const endpoint = await startLocalEndpoint({
    connectors,
    profiles,
    dir,
    port,
    inMemory,
    logLevel: 'WARN',
    ...(defaultAllowedSourceCidrs ? { defaultAllowedSourceCidrs } : {}),
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
    lines.push(`Connector "${name}"`, `  Tenant URL:   ${c.tenantUrl}`, `  Secret Token: ${c.token}`);
    // Signed deliveries of this connector's change events (bin/local/webhooks.ts).
    if (c.webhook) lines.push(`  Webhook:      ${c.webhook.url} (${c.webhook.kinds ? c.webhook.kinds.join(', ') : 'every kind'}), signing secret: ${c.webhookSecret}`);
    // The source-address fence, as the stack's resource policy applies it (bin/local/source-fence.ts).
    const own = connectors.find((x) => x.name === name)?.allowedSourceCidrs;
    const list = (cidrs: readonly string[]) => (cidrs.length <= 4 ? cidrs.join(', ') : `${cidrs.slice(0, 3).join(', ')}, … (${cidrs.length} CIDRs)`);
    if (own) lines.push(`  Allowed from: ${list(own)} (not loopback: the connector sets its own list)`);
    else if (defaultAllowedSourceCidrs) lines.push(`  Allowed from: ${list(defaultAllowedSourceCidrs)} and loopback (scim:allowedSourceCidrs)`);
    lines.push('');
  }
  lines.push(`The same as JSON: ${endpoint.connectorsFile}`);
  lines.push('Hand a connector to an IdP admin with a one-time setup page: npx scim-admin --local setup-link <connector>');
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
