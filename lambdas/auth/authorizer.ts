/**
 * The Lambda REQUEST authorizer's logic. The connector is the stage's connector (stage variable
 * `connector`, else the stage name), the token comes from the `Authorization` header (with or
 * without `Bearer `) and is checked against that connector's secret only. So a token of connector
 * A can never open connector B: it is compared with B's tokens, the policy only covers this stage,
 * and API Gateway's cache key is `Authorization` + stage (identity sources set by the CDK stack).
 *
 * Outcomes (what API Gateway makes of them):
 *  - allow → policy `execute-api:Invoke` on every method and path of this stage only, context
 *    `{ connector }`;
 *  - missing/wrong token, unknown connector → throw `Unauthorized` → 401 (the stack's gateway
 *    response renders it as a SCIM error with `WWW-Authenticate: Bearer`);
 *  - the secret cannot be read → any other error → AUTHORIZER_FAILURE, which the gateway responses
 *    (lambdas/http/gateway-responses.ts, same locally and in the CDK stack) answer 503 + Retry-After
 *    with a generic detail: the client did nothing wrong, and a 401 would make Entra quarantine the
 *    job for a transient outage. Never an allow, and the reason goes to the log only.
 *  - a token that matches nothing in the cached secret re-reads the secret once (rate-limited by
 *    the token source), so a rotated token is accepted immediately.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { header } from '../http/headers.js';
import type { TokenSource } from './token-source.js';
import { extractToken, tokenMatches } from './tokens.js';

export const UNAUTHORIZED = 'Unauthorized';

export class AuthorizerFailure extends Error {
  constructor() {
    super('AuthorizerFailure');
    this.name = 'AuthorizerFailure';
  }
}

export interface AuthorizerOptions {
  readonly source: TokenSource;
  /** Known connector names; when given, any other stage is denied before touching a secret. */
  readonly connectors?: ReadonlySet<string>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface AuthorizerContext {
  connector: string;
}

// `arn:aws:execute-api:region:acct:apiId/stage/METHOD/path` → `arn:…:apiId/stage/*/*`.
export function stagePolicyResource(methodArn: string, stage: string): string {
  const apiArn = methodArn.split('/')[0] ?? methodArn;
  return `${apiArn}/${stage}/*/*`;
}

export function connectorOf(event: Pick<APIGatewayRequestAuthorizerEvent, 'stageVariables' | 'requestContext'>): string | undefined {
  return event.stageVariables?.connector ?? event.requestContext?.stage;
}

export function makeAuthorizer(options: AuthorizerOptions) {
  const { source, logger } = options;
  const now = options.now ?? (() => new Date());
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult & { context: AuthorizerContext }> => {
    const connector = connectorOf(event);
    const stage = event.requestContext?.stage ?? connector;
    if (!connector || !stage) throw new Error(UNAUTHORIZED);
    logger.appendKeys({ connector, apiRequestId: event.requestContext?.requestId });
    if (options.connectors && !options.connectors.has(connector)) {
      logger.warn('Stage has no configured connector');
      throw new Error(UNAUTHORIZED);
    }
    const token = extractToken(header(event, 'authorization'));
    if (token === undefined) throw new Error(UNAUTHORIZED);

    let tokens;
    try {
      tokens = await source.get(connector);
    } catch (e) {
      // Name and message only: SDK errors carry no secret material, our parse errors no secret text.
      logger.error('Cannot read the connector token secret', { errorName: (e as Error)?.name, errorMessage: (e as Error)?.message });
      throw new AuthorizerFailure();
    }
    let matched = tokenMatches(token, tokens, now());
    if (!matched && source.refresh) {
      let fresh;
      try {
        fresh = await source.refresh(connector);
      } catch (e) {
        logger.error('Cannot read the connector token secret', { errorName: (e as Error)?.name, errorMessage: (e as Error)?.message });
        throw new AuthorizerFailure();
      }
      if (fresh) matched = tokenMatches(token, fresh, now());
    }
    if (!matched) {
      logger.info('Token rejected');
      throw new Error(UNAUTHORIZED);
    }
    if (matched === 'previous') logger.warn('Previous (rotated) token used; update the identity provider before it expires');
    return {
      principalId: `connector/${connector}`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stagePolicyResource(event.methodArn, stage) }],
      },
      context: { connector },
    };
  };
}
