/**
 * `scim-admin setup-link`: the URL of a one-time setup page (lambdas/setup/app.ts) for a connector.
 * Locally (`--local`) the page lives next to the connector's SCIM base path,
 * `<host>/<connector>/setup/<linkId>`; deployed, on the stack's setup API, `<SetupPageUrl>/<connector>/<linkId>`.
 * The link secret goes after `#` (browsers never send the fragment, so it stays out of every access log).
 */
import { parseDuration } from './tokens.js';

export const DEFAULT_LINK_EXPIRY = '72h';
/** Longer-lived links are refused: a setup link is a bearer credential until it is used. */
export const MAX_LINK_EXPIRY_MS = 30 * 24 * 3600 * 1000;

/** `--expires` in milliseconds, or an error message. */
export function parseLinkExpiry(text: string): number | string {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) return `--expires must look like 30m, 72h or 7d (got ${text})`;
  if (ms > MAX_LINK_EXPIRY_MS) return `--expires must be at most 30d (got ${text}): a link is a credential until it is used`;
  return ms;
}

/** The page URL from the connector's Tenant URL (`<host>/<connector>/<basePath>`, execute-api or custom domain). */
export function setupLinkUrl(tenantUrl: string, connector: string, linkId: string, secret: string): string {
  const u = new URL(tenantUrl);
  const segments = u.pathname.split('/');
  const at = segments.indexOf(connector);
  if (at < 0) throw new Error(`the Tenant URL ${tenantUrl} does not name connector ${connector}`);
  return `${u.origin}${segments.slice(0, at + 1).join('/')}/setup/${linkId}#${secret}`;
}
