/**
 * API Gateway (REST, proxy integration) events for handler tests: one builder for the shape the
 * stage-per-connector deployment produces, so each test file only states what differs.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ApiGatewayEventSpec {
  method: string;
  /** Resource template, e.g. `/Users/{id}`. */
  resource: string;
  /** Concrete path below the stage, e.g. `/Users/u-1`. */
  path: string;
  headers: Record<string, string>;
  pathParameters: Record<string, string> | null;
  /** Stage name; also the `connector` stage variable and the first path segment. */
  stage: string;
  body: string | null;
  requestId: string;
  authorizer: Record<string, unknown>;
}

/** A proxy event for `spec` (multi-value headers mirrored from `headers`, no query string). */
export function apiGatewayEvent(spec: ApiGatewayEventSpec): APIGatewayProxyEvent {
  const { method, resource, path, headers, pathParameters, stage, body, requestId, authorizer } = spec;
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: { connector: stage },
    body,
    isBase64Encoded: false,
    requestContext: { stage, requestId, domainName: 'api.example.com', path: `/${stage}${path}`, authorizer },
  } as unknown as APIGatewayProxyEvent;
}
