/**
 * Users and Groups endpoints (RFC 7644 §3.3–§3.6): thin translations between the parsed request
 * and the provisioning service. Status codes follow RFC 7644 and scim-clients.md §1.12 / §2.11:
 * POST 201 + Location; GET 200 (304 on a matching If-None-Match); a list or filter is always 200
 * (never 404); PUT 200; PATCH 204 with ETag, or 200 with the resource when the request names
 * `attributes`/`excludedAttributes` (RFC 7644 §3.5.2) or the connector's profile prefers it
 * (`responses.patch: 'resource'`); DELETE 204.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ResolvedProfile } from '../../connectors/rules.js';
import type { ListQuery, ResourceResult, ResourceService } from '../../provisioning/index.js';
import { ScimError } from '../../scim/errors.js';
import { normalizePaging, type PagingLimits } from '../../scim/list.js';
import { SCHEMA } from '../../scim/schema/types.js';
import { requireObjectBody } from '../body.js';
import { ifMatchHeader, isNotModified } from '../conditional.js';
import { resourceUrl } from '../location.js';
import type { ScimRequest } from '../middleware.js';
import { isDeactivation } from '../observability.js';
import { emptyResponse, jsonResponse } from '../response.js';

/** `count` default and ceiling (also advertised as `filter.maxResults`). */
export const PAGING: PagingLimits = { defaultCount: 100, maxCount: 1000 };

interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

function projectionOf(req: ScimRequest): Projection {
  const p: Projection = {};
  const a = req.query.get('attributes');
  const e = req.query.get('excludedAttributes');
  if (a !== undefined) p.attributes = a;
  if (e !== undefined) p.excludedAttributes = e;
  return p;
}

function resourceResponse(status: 200 | 201, r: ResourceResult, extra: Record<string, string> = {}): APIGatewayProxyResult {
  return jsonResponse(status, r.resource, { ETag: r.etag, ...extra });
}

function stringOrList(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  throw ScimError.badRequest('invalidValue', `"${field}" must be a string or an array of strings`);
}

function integerLike(v: unknown, field: string): string | number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'string') return v;
  throw ScimError.badRequest('invalidValue', `"${field}" must be an integer`);
}

/**
 * The list query of a GET (query parameters, RFC 7644 §3.4.2) or a POST `.search` (the same
 * parameters as a SearchRequest body, §3.4.3), for /Users, /Groups and the server root alike.
 * Sorting is not supported (ServiceProviderConfig says so), so sortBy/sortOrder are ignored.
 */
export function listQueryOf(req: ScimRequest): ListQuery {
  if (req.method === 'GET') {
    const paging = normalizePaging({ startIndex: req.query.get('startIndex'), count: req.query.get('count'), cursor: req.query.get('cursor') }, PAGING);
    const filter = req.query.get('filter');
    return {
      ...projectionOf(req),
      baseUrl: req.baseUrl,
      ...(filter !== undefined ? { filter } : {}),
      count: paging.count,
      ...(paging.kind === 'cursor' ? { cursor: paging.cursor } : { startIndex: paging.startIndex }),
    };
  }
  const b = requireObjectBody(req.body);
  const schemas = b.schemas;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCHEMA.searchRequest.toLowerCase()))) {
    throw ScimError.badRequest('invalidSyntax', `"schemas" must contain ${SCHEMA.searchRequest}`);
  }
  const filter = b.filter;
  if (filter !== undefined && typeof filter !== 'string') throw ScimError.badRequest('invalidFilter', '"filter" must be a string');
  const cursor = b.cursor;
  if (cursor !== undefined && typeof cursor !== 'string') throw ScimError.badRequest('invalidCursor', '"cursor" must be a string');
  const paging = normalizePaging({ startIndex: integerLike(b.startIndex, 'startIndex'), count: integerLike(b.count, 'count'), cursor }, PAGING);
  const attributes = stringOrList(b.attributes, 'attributes');
  const excludedAttributes = stringOrList(b.excludedAttributes, 'excludedAttributes');
  return {
    baseUrl: req.baseUrl,
    ...(attributes !== undefined ? { attributes } : {}),
    ...(excludedAttributes !== undefined ? { excludedAttributes } : {}),
    ...(filter !== undefined ? { filter } : {}),
    count: paging.count,
    ...(paging.kind === 'cursor' ? { cursor: paging.cursor } : { startIndex: paging.startIndex }),
  };
}

/** `profile`: each connector's profile (its PATCH response preference). */
export function makeResourceAction(service: ResourceService, endpoint: 'Users' | 'Groups', profile: (connector: string) => ResolvedProfile) {
  return async (req: ScimRequest): Promise<APIGatewayProxyResult> => {
    const connector = req.connector.name;
    const id = req.pathParameters.id ?? '';
    const read = { ...projectionOf(req), baseUrl: req.baseUrl };
    const ifMatch = ifMatchHeader(req.event);
    const write = ifMatch === undefined ? read : { ...read, ifMatch };

    switch (req.route.action) {
      case 'list':
      case 'search':
        return jsonResponse(200, await service.list(connector, listQueryOf(req)));
      case 'create': {
        const r = await service.create(connector, requireObjectBody(req.body), read);
        req.telemetry.resourceId = r.id;
        if (r.ignoredMembers) req.telemetry.membersIgnored = r.ignoredMembers;
        return resourceResponse(201, r, { Location: resourceUrl(req.baseUrl, endpoint, r.id) });
      }
      case 'get': {
        const r = await service.get(connector, id, read);
        if (isNotModified(req.event, r.version)) return emptyResponse(304, { ETag: r.etag });
        return resourceResponse(200, r);
      }
      case 'replace': {
        const r = await service.replace(connector, id, requireObjectBody(req.body), write);
        if (r.ignoredMembers) req.telemetry.membersIgnored = r.ignoredMembers;
        if (endpoint === 'Users') req.telemetry.deactivated = isDeactivation('replace', req.body, r.resource);
        return resourceResponse(200, r);
      }
      case 'patch': {
        const r = await service.patch(connector, id, requireObjectBody(req.body), write);
        if (r.ignoredMembers) req.telemetry.membersIgnored = r.ignoredMembers;
        if (endpoint === 'Users') req.telemetry.deactivated = isDeactivation('patch', req.body, r.resource);
        const named = req.query.has('attributes') || req.query.has('excludedAttributes');
        const withBody = named || profile(req.connector.name).patchResponse === 'resource';
        // The write is done: a body too large for a Lambda response becomes the other answer
        // RFC 7644 §3.5.2 allows (204), not an error the client would retry. POST and PUT bodies
        // cannot get there: they echo at most a 1 MiB request's members.
        const res = withBody ? resourceResponse(200, r) : undefined;
        return res?.statusCode === 200 ? res : emptyResponse(204, { ETag: r.etag });
      }
      case 'delete': {
        await service.delete(connector, id, ifMatch === undefined ? {} : { ifMatch });
        return emptyResponse(204);
      }
      default:
        throw new Error(`${endpoint} cannot serve ${req.route.action}`);
    }
  };
}
