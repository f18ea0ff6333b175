/**
 * Discovery endpoints (RFC 7644 §4, RFC 7643 §5–§7) for the calling connector: what it really
 * supports, built from the same schema definitions that validate its requests.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ProfileShape } from '../../connectors/rules.js';
import { offeredSchemas } from '../../connectors/schemas.js';
import { ScimError } from '../../scim/errors.js';
import { listResponse } from '../../scim/list.js';
import { resourceTypeDocument, schemaDocument, type ResourceSchema } from '../../scim/schema/resource-schema.js';
import { SCHEMA, type SchemaDefinition } from '../../scim/schema/types.js';
import type { ScimRequest } from '../middleware.js';
import { jsonResponse } from '../response.js';

export interface DiscoveryCapabilities {
  /** Largest page a list or filter returns (`count` is clamped to it). */
  readonly maxResults: number;
  readonly defaultPageSize: number;
  /** RFC 9865 cursor paging available next to index paging. */
  readonly cursorPaging: boolean;
  /** Seconds a cursor stays valid (RFC 9865 `cursorTimeout`). */
  readonly cursorTimeout?: number;
}

/**
 * RFC 7643 §5, and nothing else but RFC 9865 §4 `pagination`: strict client libraries reject a
 * ServiceProviderConfig with a schema or attribute they do not know, so limits SCIM has no
 * attribute for (payload size, PATCH operations, members per request…) are enforced and documented
 * (README "Limits"), not advertised here. The standard limit fields are truthful: `filter.maxResults`
 * is the `count` ceiling, `bulk` is not supported. `changePassword`: passwords are accepted and
 * discarded, never stored.
 */
export function serviceProviderConfig(baseUrl: string, caps: DiscoveryCapabilities): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    schemas: [SCHEMA.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: caps.maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with the connector secret token in the Authorization header (Bearer).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
  if (caps.cursorPaging) {
    // RFC 9865 §4: pagination capabilities.
    doc.pagination = {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: caps.defaultPageSize,
      maxPageSize: caps.maxResults,
      ...(caps.cursorTimeout !== undefined ? { cursorTimeout: caps.cursorTimeout } : {}),
    };
  }
  return doc;
}

function uniqueSchemas(types: readonly ResourceSchema[]): SchemaDefinition[] {
  const seen = new Set<string>();
  const out: SchemaDefinition[] = [];
  for (const t of types) {
    for (const s of t.schemas) {
      if (seen.has(s.id.toLowerCase())) continue;
      seen.add(s.id.toLowerCase());
      out.push(s);
    }
  }
  return out;
}

function list(resources: Record<string, unknown>[]): APIGatewayProxyResult {
  return jsonResponse(200, listResponse({ resources, totalResults: resources.length, startIndex: 1 }));
}

/** `profile`: the calling connector's profile (built-in or configured: discovery does not ask). */
export function makeDiscoveryAction(caps: DiscoveryCapabilities, profile: (connector: string) => ProfileShape) {
  return async (req: ScimRequest): Promise<APIGatewayProxyResult> => {
    // Only what the connector's profile offers: a users-only app lists neither Group nor its schema.
    const types = offeredSchemas(profile(req.connector.name));
    const id = req.pathParameters.id ?? '';
    switch (req.route.action) {
      case 'serviceProviderConfig':
        return jsonResponse(200, serviceProviderConfig(req.baseUrl, caps));
      case 'resourceTypes':
        return list(types.map((t) => resourceTypeDocument(t.resourceType, req.baseUrl)));
      case 'resourceType': {
        const t = types.find((x) => x.resourceType.id.toLowerCase() === id.toLowerCase());
        if (!t) throw ScimError.notFound(`ResourceType "${id}" not found`);
        return jsonResponse(200, resourceTypeDocument(t.resourceType, req.baseUrl));
      }
      case 'schemas':
        return list(uniqueSchemas(types).map((s) => schemaDocument(s, req.baseUrl)));
      case 'schema': {
        const s = uniqueSchemas(types).find((x) => x.id.toLowerCase() === id.toLowerCase());
        if (!s) throw ScimError.notFound(`Schema "${id}" not found`);
        return jsonResponse(200, schemaDocument(s, req.baseUrl));
      }
      default:
        throw new Error(`discovery cannot serve ${req.route.action}`);
    }
  };
}

