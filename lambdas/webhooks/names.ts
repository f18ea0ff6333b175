/**
 * Names shared by the webhook delivery function (lambdas/handlers/webhooks.ts) and the construct
 * that deploys, charts and alarms on it (lib/constructs/webhooks.ts).
 */

/** JSON `{ "<connector>": "<webhook url>" }` (only the webhook connectors), as an env var from source. */
export const WEBHOOKS_ENV = 'SCIM_WEBHOOKS';
/**
 * What esbuild `define` replaces with that JSON in the deployed bundle (lib/constructs/webhooks.ts):
 * not the environment, whose 4 KB 60 webhook URLs would exceed (lib/limits.ts).
 */
export const WEBHOOKS_DEFINE = 'process.env.SCIM_WEBHOOKS';
/** Env: the secret name of a connector's signing secret, `{connector}` replaced (`Scim/{connector}/webhook`). */
export const WEBHOOK_SECRET_TEMPLATE_ENV = 'SCIM_WEBHOOK_SECRET_TEMPLATE';
export const CONNECTOR_PLACEHOLDER = '{connector}';

/** Secrets Manager name of a connector's webhook signing secret. */
export function webhookSecretName(stackName: string, connector: string): string {
  return `${stackName}/${connector}/webhook`;
}

/**
 * EMF metrics of the delivery function: namespace `METRIC_NAMESPACE`, dimensions exactly
 * `{service, connector}` (like the provisioning metrics), one line per connector and invocation.
 */
export const WEBHOOK_METRICS = {
  /** Events the receiver accepted (2xx). Count. */
  delivered: 'WebhookDelivered',
  /** Attempts that failed (non-2xx, timeout, connection error, secret unreadable). Count. */
  failedAttempts: 'WebhookFailedAttempts',
  /** Events given up after the last attempt: they go to the dead-letter queue. Count. */
  deadLettered: 'WebhookDeadLettered',
  /** From the change (event `time`) to the receiver's 2xx, retries included. Milliseconds. */
  latency: 'WebhookDeliveryLatency',
} as const;
