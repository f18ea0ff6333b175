/**
 * A small local stand-in for API Gateway (REST API, Lambda proxy integration, REQUEST authorizer),
 * so `npm start` and the e2e tests run exactly the Lambda handler and authorizer code:
 *
 *  - `/{stage}/{basePath}/…` is routed with the shared route table (lambdas/http/routes.ts); the
 *    stage is the connector (stage variable `connector`);
 *  - each request becomes a REST v1 proxy event: `resource`, `path` (without the stage),
 *    `pathParameters` (decoded), `stageVariables`, `requestContext` (stage, requestId, domainName,
 *    path with the stage, identity.sourceIp, authorizer context), `headers`/`multiValueHeaders` with
 *    the client's casing, and query parameters form-decoded as API Gateway does (lambdas/http/query.ts);
 *  - the authorizer runs with API Gateway's semantics: a missing/empty `Authorization` is a 401
 *    without calling it; results are cached per identity source (Authorization + stage) for the
 *    TTL (300 s); `Unauthorized` → 401, any other error → 500; the cached policy must allow the
 *    method ARN;
 *  - a connector's `throttling {rateLimit, burstLimit}` is applied per stage as API Gateway does (a
 *    token bucket of `burstLimit` tokens refilled at `rateLimit`/s, checked before the authorizer):
 *    over it → 429 THROTTLED (SCIM body, Retry-After); other stages are unaffected. Connectors
 *    without explicit throttling are not throttled locally (the CDK default, 50/s burst 100, is a
 *    production guard, and local load tests measure the handlers);
 *  - the source-address fence (`allowedSourceCidrs`, default `scim:allowedSourceCidrs`) is the
 *    stack's resource policy: a client outside the connector's list gets the ACCESS_DENIED 403
 *    before the authorizer runs (loopback stays allowed unless the connector has its own list:
 *    bin/local/source-fence.ts);
 *  - a handler that throws, returns no result or a result over Lambda's 6 MB response payload gets
 *    API Gateway's 502;
 *  - gateway-level errors use the same SCIM bodies as the CDK gateway responses
 *    (lambdas/http/gateway-responses.ts). Wrong methods go to the resource's handler, which
 *    answers 405 (on AWS an `ANY` method does the same).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { ConnectorConfig } from '../../lambdas/connectors/config.js';
import { GATEWAY_RESPONSES, gatewayResponseBody, type GatewayResponseSpec } from '../../lambdas/http/gateway-responses.js';
import { decodeRawQuery } from '../../lambdas/http/query.js';
import { fitsLambdaResponse } from '../../lambdas/http/response.js';
import { matchPath, resourceTemplate, type HandlerName } from '../../lambdas/http/routes.js';
import { SourceFence } from './source-fence.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface GatewayOptions {
  readonly connectors: readonly ConnectorConfig[];
  readonly handlers: Readonly<Record<HandlerName, ProxyHandler>>;
  readonly authorizer: AuthorizerHandler;
  /**
   * The setup page and its API (`/{stage}/setup/{link}`, lambdas/setup/app.ts): no authorizer and,
   * as on AWS, outside the source-address fence (the admin's browser is not the IdP).
   */
  readonly setup?: ProxyHandler;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (ephemeral). */
  readonly port?: number;
  /** API Gateway's authorizer result TTL; default 300 s (the CDK stack uses the same). */
  readonly authorizerTtlSeconds?: number;
  /** Called once per request (method, path, status, ms; a SCIM error's scimType and detail). */
  readonly onRequest?: (line: RequestLine) => void;
  /** `scim:allowedSourceCidrs`: the fence of connectors without their own `allowedSourceCidrs`. */
  readonly defaultAllowedSourceCidrs?: readonly string[];
  /**
   * Tests only: the client address the fence and the event's `sourceIp` see instead of the
   * socket's, to simulate a request from another network. Default: the socket's remote address.
   */
  readonly clientAddress?: (req: IncomingMessage) => string | undefined;
}

export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  readonly scimType?: string | undefined;
  readonly detail?: string | undefined;
}

/** What `handle` learnt of the answer: its status and, for a SCIM error, scimType and detail. */
interface Answer {
  readonly status: number;
  readonly scimType?: string | undefined;
  readonly detail?: string | undefined;
}

function errorOf(status: number, body: string | undefined): Answer {
  if (status < 400 || !body) return { status };
  try {
    const e = JSON.parse(body) as { scimType?: unknown; detail?: unknown };
    return { status, scimType: typeof e.scimType === 'string' ? e.scimType : undefined, detail: typeof e.detail === 'string' ? e.detail.slice(0, 200) : undefined };
  } catch {
    return { status };
  }
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  /** Drops cached authorizer results (e.g. after rotating a token in a test). */
  flushAuthorizerCache(): void;
  close(): Promise<void>;
}

/** API Gateway REST's payload limit. The handlers enforce their own, smaller, SCIM limit. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
/** The CDK stack's handler timeout (lib/constructs/scim-function.ts), so the handler deadline matches AWS. */
const LAMBDA_TIMEOUT_MS = 20_000;
const REGION = 'local';
const ACCOUNT = '000000000000';
const API_ID = 'local';

class BodyTooLarge extends Error {}

/** API Gateway's per-stage token bucket: `burst` tokens, refilled continuously at `rate` per second. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > GATEWAY_MAX_BODY) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > GATEWAY_MAX_BODY) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `headers` (last value wins, as API Gateway does) and `multiValueHeaders`, client casing kept. */
function eventHeaders(raw: readonly string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const existing = Object.keys(multiValueHeaders).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    (multiValueHeaders[existing] ??= []).push(value);
    headers[existing] = value;
  }
  return { headers, multiValueHeaders };
}

function setHeader(h: { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> }, name: string, value: string): void {
  if (Object.keys(h.headers).some((k) => k.toLowerCase() === name.toLowerCase())) return;
  h.headers[name] = value;
  h.multiValueHeaders[name] = [value];
}

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + LAMBDA_TIMEOUT_MS;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** IAM-style match of an execute-api ARN against a policy resource with `*` wildcards. */
function arnMatches(pattern: string, arn: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(arn);
}

function policyAllows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  let allowed = false;
  for (const st of result.policyDocument.Statement) {
    const s = st as { Effect: string; Action?: string | string[]; Resource?: string | string[] };
    const actions = ([] as string[]).concat(s.Action ?? []);
    if (!actions.some((a) => a === 'execute-api:Invoke' || a === 'execute-api:*' || a === '*')) continue;
    const resources = ([] as string[]).concat(s.Resource ?? []);
    if (!resources.some((r) => arnMatches(r, methodArn))) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer | string): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendGatewayResponse(res: ServerResponse, spec: GatewayResponseSpec, requestId: string): Answer {
  const body = JSON.stringify(gatewayResponseBody(spec));
  send(res, spec.status, { ...spec.headers, 'x-amzn-RequestId': requestId }, body);
  return errorOf(spec.status, body);
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const stages = new Map(options.connectors.map((c) => [c.name, c]));
  const ttlMs = (options.authorizerTtlSeconds ?? 300) * 1000;
  const authCache = new Map<string, { result: APIGatewayAuthorizerResult; expiresAt: number }>();
  const buckets = new Map<string, TokenBucket>();
  for (const c of options.connectors) {
    if (!c.throttling) continue;
    const rate = c.throttling.rateLimit ?? c.throttling.burstLimit ?? 1;
    buckets.set(c.name, new TokenBucket(rate, c.throttling.burstLimit ?? Math.max(1, Math.ceil(rate))));
  }
  const fences = new Map<string, SourceFence>();
  for (const c of options.connectors) {
    const fence = SourceFence.of(c, options.defaultAllowedSourceCidrs);
    if (fence) fences.set(c.name, fence);
  }
  const clientAddress = options.clientAddress ?? ((req: IncomingMessage) => req.socket.remoteAddress);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Answer> {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);

    // Route: /{stage}/{basePath}/{relative}
    const segments = rawPath.split('/').slice(1);
    if (segments.length > 1 && segments.at(-1) === '') segments.pop(); // tolerate one trailing slash
    const stage = segments[0] ?? ''; // stage names are [A-Za-z0-9_-]: never percent-encoded
    const connector = stages.get(stage);
    if (!connector) return sendGatewayResponse(res, GATEWAY_RESPONSES.notFound, requestId);
    const bucket = buckets.get(connector.name);
    if (bucket && !bucket.take()) {
      req.resume(); // drain the body so the keep-alive connection stays usable
      return sendGatewayResponse(res, GATEWAY_RESPONSES.throttled, requestId);
    }
    const rest = segments.slice(1);
    if (options.setup && rest.length === 2 && rest[0] === 'setup') return serveSetup(req, res, options.setup, stage, rest[1] as string, requestId);
    const baseSegments = connector.basePath.split('/');
    if (baseSegments.some((s, i) => rest[i] !== s)) return sendGatewayResponse(res, GATEWAY_RESPONSES.notFound, requestId);
    const match = matchPath(rest.slice(baseSegments.length).join('/'));
    if (!match) return sendGatewayResponse(res, GATEWAY_RESPONSES.notFound, requestId);

    // Resource policy: an explicit deny of the source address, before the authorizer (as on AWS).
    const clientIp = clientAddress(req);
    if (!(fences.get(connector.name)?.allows(clientIp) ?? true)) {
      req.resume(); // drain the body so the keep-alive connection stays usable
      return sendGatewayResponse(res, GATEWAY_RESPONSES.accessDenied, requestId);
    }
    const sourceIp = clientIp ?? '127.0.0.1';

    const body = await requestBody(req, res, requestId);
    if (!Buffer.isBuffer(body)) return body;

    const resource = resourceTemplate(connector.basePath, match.resource.path);
    const path = '/' + segments.slice(1).join('/');
    const h = eventHeaders(req.rawHeaders);
    const hostHeader = req.headers.host ?? `127.0.0.1`;
    setHeader(h, 'X-Forwarded-Proto', 'http');
    setHeader(h, 'X-Forwarded-For', sourceIp);
    const query = decodeRawQuery(rawQuery);
    const pathParameters = Object.keys(match.pathParameters).length > 0 ? match.pathParameters : null;
    const stageVariables = { connector: connector.name };
    const now = new Date();
    const userAgent = req.headers['user-agent'] ?? null;
    const methodArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${stage}/${method}${resource.replace(/\{(\w+)\}/g, (_m, p: string) => match.pathParameters[p] ?? '')}`;

    // Authorizer (identity sources: Authorization header + stage).
    const authorization = Object.entries(h.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    if (authorization === undefined || authorization.trim() === '') {
      return sendGatewayResponse(res, GATEWAY_RESPONSES.unauthorized, requestId);
    }
    const cacheKey = `${authorization}\u0000${stage}`;
    let cached = authCache.get(cacheKey);
    if (!cached || cached.expiresAt <= Date.now()) {
      authCache.delete(cacheKey);
      const authEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn,
        resource,
        path,
        httpMethod: method,
        headers: h.headers,
        multiValueHeaders: h.multiValueHeaders,
        pathParameters,
        queryStringParameters: query?.single ?? null,
        multiValueQueryStringParameters: query?.multi ?? null,
        stageVariables,
        requestContext: {
          accountId: ACCOUNT,
          apiId: API_ID,
          httpMethod: method,
          path: `/${stage}${path}`,
          protocol: `HTTP/${req.httpVersion}`,
          requestId,
          requestTimeEpoch: now.getTime(),
          resourceId: 'local',
          resourcePath: resource,
          stage,
          domainName: hostHeader,
          identity: { sourceIp, userAgent },
        } as unknown as APIGatewayRequestAuthorizerEvent['requestContext'],
      };
      try {
        const result = await options.authorizer(authEvent, lambdaContext('scim-authorizer'));
        cached = { result, expiresAt: Date.now() + ttlMs };
        if (ttlMs > 0) authCache.set(cacheKey, cached);
      } catch (e) {
        if (e instanceof Error && e.message === 'Unauthorized') {
          return sendGatewayResponse(res, GATEWAY_RESPONSES.unauthorized, requestId);
        }
        return sendGatewayResponse(res, GATEWAY_RESPONSES.authorizerFailure, requestId);
      }
    }
    if (!policyAllows(cached.result, methodArn)) return sendGatewayResponse(res, GATEWAY_RESPONSES.accessDenied, requestId);

    const event: APIGatewayProxyEvent = {
      resource,
      path,
      httpMethod: method,
      headers: h.headers,
      multiValueHeaders: h.multiValueHeaders,
      queryStringParameters: query?.single ?? null,
      multiValueQueryStringParameters: query?.multi ?? null,
      pathParameters,
      stageVariables,
      requestContext: {
        accountId: ACCOUNT,
        apiId: API_ID,
        authorizer: { ...(cached.result.context ?? {}), principalId: cached.result.principalId },
        domainName: hostHeader,
        domainPrefix: hostHeader.split('.')[0] ?? hostHeader,
        extendedRequestId: requestId,
        httpMethod: method,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp,
          user: null,
          userAgent,
          userArn: null,
        },
        path: `/${stage}${path}`,
        protocol: `HTTP/${req.httpVersion}`,
        requestId,
        requestTime: now.toUTCString(),
        requestTimeEpoch: now.getTime(),
        resourceId: 'local',
        resourcePath: resource,
        stage,
      },
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
    };
    // Bodies that are not valid UTF-8 travel base64-encoded, as with binary media types.
    if (body.length > 0 && !Buffer.from(body.toString('utf8'), 'utf8').equals(body)) {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }

    return invoke(res, requestId, () => options.handlers[match.resource.handler](event, lambdaContext(`scim-${match.resource.handler}`)));
  }

  /** The request's body, or the 413 API Gateway answers past its payload limit (then the answer). */
  async function requestBody(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Buffer | Answer> {
    try {
      return await readBody(req);
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      res.setHeader('Connection', 'close');
      return sendGatewayResponse(res, GATEWAY_RESPONSES.requestTooLarge, requestId);
    }
  }

  /** Runs a Lambda proxy integration and answers as API Gateway does (a throw, no result or one over 6 MB: 502). */
  async function invoke(res: ServerResponse, requestId: string, lambda: () => Promise<APIGatewayProxyResult>): Promise<Answer> {
    let result: APIGatewayProxyResult;
    try {
      result = await lambda();
    } catch {
      // A Lambda that throws: API Gateway answers 502.
      return sendGatewayResponse(res, GATEWAY_RESPONSES.integrationFailure, requestId);
    }
    if (!result || typeof result.statusCode !== 'number' || !fitsLambdaResponse(result)) {
      return sendGatewayResponse(res, GATEWAY_RESPONSES.integrationFailure, requestId);
    }
    const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
    for (const [k, vs] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = vs.map(String);
    const payload = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
    send(res, result.statusCode, headers, payload);
    return errorOf(result.statusCode, result.statusCode >= 400 && !result.isBase64Encoded ? result.body : undefined);
  }

  /** `/{stage}/setup/{link}`: a proxy event without authorizer context, straight to the setup handler. */
  async function serveSetup(req: IncomingMessage, res: ServerResponse, setup: ProxyHandler, stage: string, rawLink: string, requestId: string): Promise<Answer> {
    const body = await requestBody(req, res, requestId);
    if (!Buffer.isBuffer(body)) return body;
    const method = (req.method ?? 'GET').toUpperCase();
    const link = (() => {
      try {
        return decodeURIComponent(rawLink);
      } catch {
        return rawLink;
      }
    })();
    const h = eventHeaders(req.rawHeaders);
    setHeader(h, 'X-Forwarded-Proto', 'http');
    const sourceIp = clientAddress(req) ?? '127.0.0.1';
    const path = `/setup/${rawLink}`;
    const event = {
      resource: '/setup/{link}',
      path,
      httpMethod: method,
      headers: h.headers,
      multiValueHeaders: h.multiValueHeaders,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { link },
      stageVariables: { connector: stage },
      requestContext: {
        domainName: req.headers.host ?? '127.0.0.1',
        httpMethod: method,
        identity: { sourceIp, userAgent: req.headers['user-agent'] ?? null },
        path: `/${stage}${path}`,
        requestId,
        resourcePath: '/setup/{link}',
        stage,
      },
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent;
    return invoke(res, requestId, () => setup(event, lambdaContext('scim-setup')));
  }

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    handle(req, res)
      .then((a) => options.onRequest?.({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', ms: Date.now() - started, ...a }))
      .catch(() => {
        if (!res.headersSent) sendGatewayResponse(res, GATEWAY_RESPONSES.integrationFailure, randomUUID());
        else res.destroy();
      });
  });
  // Requests Node's HTTP parser rejects (unknown methods, malformed headers) still get a SCIM error.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const body = JSON.stringify(gatewayResponseBody({ responseType: 'BAD_REQUEST', status: 400, detail: 'Bad request', headers: {} }));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/scim+json\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    port,
    flushAuthorizerCache: () => authCache.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
