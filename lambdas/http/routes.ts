/**
 * The route table, declared once: the local gateway serves it now and the CDK stack builds its API
 * Gateway resources and methods from it, so local and AWS cannot drift. Paths are relative to the
 * connector's base path (`scim/v2` by default) and use API Gateway's `{param}` template syntax.
 *
 * For a wrong method to be answered with a SCIM 405 (and `Allow`) on AWS too, the stack adds an
 * `ANY` method on every resource that goes to the same handler; the handler's middleware then sees
 * a method the table does not list and answers 405. Paths outside the table never reach a Lambda
 * (API Gateway's MISSING_AUTHENTICATION_TOKEN response, mapped to a SCIM 404 by the stack).
 */
import { ScimError } from '../scim/errors.js';

export type HandlerName = 'users' | 'groups' | 'discovery';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Action =
  | 'list'
  | 'create'
  | 'search'
  | 'rootList'
  | 'rootSearch'
  | 'get'
  | 'replace'
  | 'patch'
  | 'delete'
  | 'serviceProviderConfig'
  | 'resourceTypes'
  | 'resourceType'
  | 'schemas'
  | 'schema';

export interface Route {
  readonly method: HttpMethod;
  /** Relative to the base path, API Gateway template syntax: `Users/{id}`. */
  readonly path: string;
  readonly handler: HandlerName;
  readonly action: Action;
}

function resourceRoutes(type: 'Users' | 'Groups', handler: HandlerName): Route[] {
  return [
    { method: 'GET', path: type, handler, action: 'list' }, // RFC 7644 §3.4.2
    { method: 'POST', path: type, handler, action: 'create' }, // §3.3
    { method: 'POST', path: `${type}/.search`, handler, action: 'search' }, // §3.4.3
    { method: 'GET', path: `${type}/{id}`, handler, action: 'get' }, // §3.4.1
    { method: 'PUT', path: `${type}/{id}`, handler, action: 'replace' }, // §3.5.1
    { method: 'PATCH', path: `${type}/{id}`, handler, action: 'patch' }, // §3.5.2
    { method: 'DELETE', path: `${type}/{id}`, handler, action: 'delete' }, // §3.6
  ];
}

/**
 * RFC 7644 §4: discovery endpoints are read-only (POST etc. → 405).
 * RFC 7644 §3.4.2.1 / §3.4.3: a query at the server root (the connector's base path itself, path
 * `''`) searches every resource type the connector offers. The users handler serves it: its bundle
 * already holds both the Users and the Groups service (lambdas/http/app.ts), and one path keeps one
 * handler (so its `ANY` method answers 405 from the same function).
 */
export const ROUTES: readonly Route[] = Object.freeze([
  ...resourceRoutes('Users', 'users'),
  ...resourceRoutes('Groups', 'groups'),
  { method: 'GET', path: '', handler: 'users', action: 'rootList' }, // §3.4.2.1
  { method: 'POST', path: '.search', handler: 'users', action: 'rootSearch' }, // §3.4.3
  { method: 'GET', path: 'ServiceProviderConfig', handler: 'discovery', action: 'serviceProviderConfig' },
  { method: 'GET', path: 'ResourceTypes', handler: 'discovery', action: 'resourceTypes' },
  { method: 'GET', path: 'ResourceTypes/{id}', handler: 'discovery', action: 'resourceType' },
  { method: 'GET', path: 'Schemas', handler: 'discovery', action: 'schemas' },
  { method: 'GET', path: 'Schemas/{id}', handler: 'discovery', action: 'schema' },
]);

export interface ResourcePath {
  /** Relative path template, e.g. `Users/{id}`. */
  readonly path: string;
  readonly handler: HandlerName;
  readonly methods: readonly HttpMethod[];
}

/** One entry per path template (what the CDK stack turns into API Gateway resources). */
export function resourcePaths(): ResourcePath[] {
  const byPath = new Map<string, { handler: HandlerName; methods: HttpMethod[] }>();
  for (const r of ROUTES) {
    const entry = byPath.get(r.path);
    if (!entry) byPath.set(r.path, { handler: r.handler, methods: [r.method] });
    else if (entry.handler !== r.handler) throw new Error(`route table: ${r.path} maps to two handlers`);
    else entry.methods.push(r.method);
  }
  return [...byPath].map(([path, v]) => ({ path, handler: v.handler, methods: v.methods }));
}

export function allowedMethods(path: string): HttpMethod[] {
  return ROUTES.filter((r) => r.path === path).map((r) => r.method);
}

export interface PathMatch {
  readonly resource: ResourcePath;
  readonly pathParameters: Record<string, string>;
}

/**
 * Matches a concrete relative path (`Users/2819c223`, raw segments, no leading slash) against the
 * templates as API Gateway does: static segments win over `{param}` (`Users/.search` before
 * `Users/{id}`); a param matches exactly one non-empty segment. Returns undefined when nothing
 * matches. Path parameters are returned percent-decoded, as API Gateway delivers them.
 */
export function matchPath(relative: string): PathMatch | undefined {
  const segments = relative.split('/');
  let best: { resource: ResourcePath; params: Record<string, string>; statics: number } | undefined;
  for (const resource of resourcePaths()) {
    const tpl = resource.path.split('/');
    if (tpl.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let statics = 0;
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      const t = tpl[i] as string;
      const s = segments[i] as string;
      const param = /^\{(\w+)\}$/.exec(t);
      if (param) {
        if (s === '') ok = false;
        else params[param[1] as string] = safeDecode(s);
      } else if (t === s) statics++;
      else ok = false;
    }
    if (ok && (!best || statics > best.statics)) best = { resource, params, statics };
  }
  return best && { resource: best.resource, pathParameters: best.params };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The route for an invocation: `resource` is API Gateway's resource template (`/scim/v2/Users/{id}`),
 * which must sit under this connector's base path. Unknown → 404; known path, other method → 405.
 */
const ROUTES_BY_PATH: ReadonlyMap<string, readonly Route[]> = ROUTES.reduce((m, r) => m.set(r.path, [...(m.get(r.path) ?? []), r]), new Map<string, Route[]>());

export function resolveRoute(method: string, resource: string, basePath: string): Route {
  const prefix = `/${basePath}/`;
  // The server root is API Gateway's resource `/<basePath>` itself (no trailing slash).
  const path = resource === `/${basePath}` ? '' : resource.startsWith(prefix) ? resource.slice(prefix.length) : undefined;
  if (path === undefined) throw new ScimError(404, undefined, 'Resource not found');
  const candidates = ROUTES_BY_PATH.get(path);
  if (!candidates) throw new ScimError(404, undefined, 'Resource not found');
  const route = candidates.find((r) => r.method === method.toUpperCase());
  if (!route) throw methodNotAllowed(path, method);
  return route;
}

/** A route at the server root (RFC 7644 §3.4.2.1, §3.4.3): it spans every resource type. */
export function isRootRoute(route: Pick<Route, 'path'>): boolean {
  return route.path === '' || route.path === '.search';
}

/** The endpoint a route belongs to (`Users`, `Groups`, `Schemas`, …); none for root queries. */
export function endpointOf(route: Pick<Route, 'path'>): string | undefined {
  return isRootRoute(route) ? undefined : route.path.split('/')[0];
}

/** `/<basePath>` for the root, `/<basePath>/<path>` otherwise: API Gateway's resource template. */
export function resourceTemplate(basePath: string, path: string): string {
  return path === '' ? `/${basePath}` : `/${basePath}/${path}`;
}

export function methodNotAllowed(path: string, method: string): ScimError {
  const allow = allowedMethods(path).join(', ');
  return new ScimError(405, undefined, `Method ${method.toUpperCase()} is not allowed here; allowed: ${allow}`, { Allow: allow });
}
