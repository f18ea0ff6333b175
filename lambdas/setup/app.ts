/**
 * The setup page and its API, outside the SCIM authorizer (the admin's browser has no SCIM token):
 * deployed, one REST API of the stack (`/setup/{connector}/{link}`, lib/constructs/setup-api.ts),
 * outside the connectors' source-address fences; `npm start`, `/<connector>/setup/<link>` on the
 * local gateway. It holds up on its own:
 *
 *  - GET answers the static page (page.ts) — it reads nothing, so a probe learns nothing;
 *  - POST `{action, secret}` with the link secret from the URL fragment (never in a URL, so never
 *    in an access log): `view` (link state, Tenant URL, the profile's guide, status), `reveal`
 *    (the token, once: setup-links.ts spends the link in one conditional update) and `status`.
 *    An unknown link and a wrong secret get the same 404; an expired or revoked link answers its
 *    state and nothing else;
 *  - every response carries the page's CSP, `Referrer-Policy: no-referrer`, `Cache-Control:
 *    no-store`; the token appears in the one `reveal` response that spent the link;
 *  - the reveal is logged (connector, link id, source address; never the token) and counted
 *    (`SetupTokenReveals`, EMF, dimensions `{service, connector}`, on the dashboard).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { LambdaConnector } from '../connectors/deployed.js';
import type { ProfileRegistry } from '../connectors/registry.js';
import type { ProfileShape } from '../connectors/rules.js';
import type { TokenSource } from '../auth/token-source.js';
import { publicBaseUrl } from '../http/location.js';
import { CONNECTOR_DIMENSION, METRIC_NAMESPACE, SERVICE_NAME, SETUP_METRICS } from '../http/metric-names.js';
import { LINK_ID, LINK_SECRET, linkState, type SetupLink, type SetupLinks } from '../store/setup-links.js';
import { setupGuide } from './guide.js';
import { SETUP_PAGE_HTML, SETUP_SECURITY_HEADERS } from './page.js';
import type { StatusSource } from './status.js';

const MAX_BODY = 1024;
/** The setup function's env: token secrets are `<prefix><connector>/token` (lib/scim-stack.ts names them so). */
export const TOKEN_SECRET_PREFIX_ENV = 'SCIM_TOKEN_SECRET_PREFIX';

export interface SetupDeps {
  readonly connectors: readonly LambdaConnector[];
  readonly profiles: ProfileRegistry<ProfileShape>;
  readonly links: SetupLinks;
  readonly tokens: TokenSource;
  readonly status: StatusSource;
  readonly logger: Logger;
  /** Where the reveal metric line goes; default standard output (EMF in Lambda). */
  readonly writeMetric?: (line: string) => void;
}

type Action = 'view' | 'reveal' | 'status';

function json(status: number, body: unknown): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...SETUP_SECURITY_HEADERS, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

const notFound = () => json(404, { error: 'unknown link' });

function parseBody(event: APIGatewayProxyEvent): { action: Action; secret: string } | undefined {
  if (!event.body || event.body.length > MAX_BODY) return undefined;
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const v = JSON.parse(raw) as { action?: unknown; secret?: unknown };
    if ((v.action === 'view' || v.action === 'reveal' || v.action === 'status') && typeof v.secret === 'string') return { action: v.action, secret: v.secret };
  } catch {
    // falls through to the 400
  }
  return undefined;
}

function linkView(link: SetupLink) {
  return {
    state: linkState(link),
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    ...(link.revealedAt ? { revealedAt: link.revealedAt } : {}),
    ...(link.revokedAt ? { revokedAt: link.revokedAt } : {}),
  };
}

export function setupHandler(deps: SetupDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const byName = new Map(deps.connectors.map((c) => [c.name, c]));
  const writeMetric = deps.writeMetric ?? ((line: string) => void process.stdout.write(line));

  return async (event) => {
    // Deployed: the path names the connector; npm start: the stage does, as for SCIM requests.
    const connector = byName.get(event.pathParameters?.connector ?? event.stageVariables?.connector ?? '');
    const linkId = event.pathParameters?.link ?? '';
    if (!connector || !LINK_ID.test(linkId)) return notFound();
    const method = event.httpMethod.toUpperCase();
    if (method === 'GET') {
      return { statusCode: 200, headers: { ...SETUP_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' }, body: SETUP_PAGE_HTML };
    }
    if (method !== 'POST') {
      const r = json(405, { error: 'use GET or POST' });
      return { ...r, headers: { ...r.headers, Allow: 'GET, POST' } };
    }
    const req = parseBody(event);
    if (!req) return json(400, { error: 'the body must be {"action": "view" | "reveal" | "status", "secret": "<the part of the link after #>"}' });
    if (!LINK_SECRET.test(req.secret)) return notFound();
    try {
      if (req.action === 'reveal') {
        // Read the token first: a link is spent only when the token can be handed over.
        const tokens = await deps.tokens.get(connector.name);
        const out = await deps.links.reveal(connector.name, linkId, req.secret);
        if (!out) return notFound();
        if (!out.spent) return json(200, { connector: connector.name, ...linkView(out.link) });
        deps.logger.info('setup link revealed the token', { connector: connector.name, linkId, sourceIp: event.requestContext.identity?.sourceIp });
        writeMetric(
          JSON.stringify({
            _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['service', CONNECTOR_DIMENSION]], Metrics: [{ Name: SETUP_METRICS.tokenReveals, Unit: 'Count' }] }] },
            service: SERVICE_NAME,
            [CONNECTOR_DIMENSION]: connector.name,
            [SETUP_METRICS.tokenReveals]: 1,
          }) + '\n',
        );
        return json(200, { connector: connector.name, ...linkView(out.link), token: tokens.current });
      }
      const link = await deps.links.find(connector.name, linkId, req.secret);
      if (!link) return notFound();
      const view = linkView(link);
      const live = view.state === 'open' || view.state === 'revealed';
      // Expired and revoked links say so and nothing more.
      if (!live) return json(200, { connector: connector.name, ...view });
      // The status is a convenience: when it cannot be read (CloudWatch Logs throttles
      // FilterLogEvents at a few calls a second per account), the link, the Tenant URL and the
      // guide are still answered, without it; the page keeps its last status and asks again.
      const status = await deps.status.status(connector.name).catch((e: unknown) => {
        deps.logger.warn('setup status unavailable', { connector: connector.name, error: e as Error });
        return undefined;
      });
      if (req.action === 'status') return json(200, { connector: connector.name, ...view, ...(status ? { status } : {}) });
      return json(200, {
        connector: connector.name,
        ...view,
        tenantUrl: link.tenantUrl ?? publicBaseUrl(event, connector.basePath),
        guide: setupGuide(deps.profiles.get(connector.profile)),
        ...(status ? { status } : {}),
      });
    } catch (e) {
      deps.logger.error('setup request failed', { connector: connector.name, action: req.action, error: e as Error });
      return json(500, { error: 'the setup service failed; try again in a minute' });
    }
  };
}
