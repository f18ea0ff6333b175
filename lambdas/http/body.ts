/**
 * Request body parsing for SCIM: JSON only, as `application/scim+json` or `application/json` (any
 * parameters, e.g. `; charset=utf-8`), or no Content-Type at all (then we still try JSON: some
 * clients omit it). Hand-written rather than @middy/http-json-body-parser: that package is not a
 * dependency, and we need SCIM errors (400 invalidSyntax, 413, 415) rather than http-errors.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ScimError } from '../scim/errors.js';
import { header } from './headers.js';

/** 1 MiB. API Gateway itself accepts up to 10 MB; SCIM requests are far below this one. */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPES = new Set(['application/scim+json', 'application/json']);
const utf8 = new TextDecoder('utf-8', { fatal: true }); // strips a BOM, rejects invalid UTF-8

/** The media type without parameters, lower-cased; undefined when absent or empty. */
export function mediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t ? t : undefined;
}

/** The raw body bytes (base64-decoded when API Gateway says so). */
export function bodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Parses the JSON body; undefined when there is none. Throws 413 / 415 / 400 invalidSyntax. */
export function parseJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers' | 'multiValueHeaders'>): unknown {
  const bytes = bodyBytes(event);
  if (!bytes || bytes.length === 0) return undefined;
  if (bytes.length > MAX_BODY_BYTES) {
    throw new ScimError(413, undefined, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const type = mediaType(header(event, 'content-type'));
  if (type !== undefined && !JSON_TYPES.has(type)) {
    throw new ScimError(415, undefined, 'Content-Type must be application/scim+json or application/json');
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw ScimError.badRequest('invalidSyntax', 'Request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ScimError.badRequest('invalidSyntax', 'Request body is not valid JSON');
  }
}

/** The body as a JSON object, or 400 invalidSyntax (every SCIM request body is an object). */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) throw ScimError.badRequest('invalidSyntax', 'A JSON request body is required');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ScimError.badRequest('invalidSyntax', 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
