/**
 * List responses and paging arithmetic (RFC 7644 §3.4.2, §3.4.2.4) plus cursor paging
 * (RFC 9865, "Cursor-based Pagination of SCIM Resources").
 * Paging fields are always JSON integers (Okta fails silently on `"startIndex": "1"`,
 * scim-clients.md §4 #18); `Resources` has a capital R; `startIndex` echoes the request (Entra's
 * validator checks it, §1.11). Out-of-range index paging input is clamped, never rejected
 * (RFC 7644 §3.4.2.4: startIndex < 1 is treated as 1, a negative count as 0).
 */
import { ScimError } from './errors.js';
import { SCHEMA } from './schema/types.js';

export interface ListResponseInput<T> {
  readonly resources: readonly T[];
  readonly totalResults: number;
  /** 1-based index of the first resource; omit for cursor paging (RFC 9865 examples carry none). */
  readonly startIndex?: number | undefined;
  /** Defaults to the number of resources returned. */
  readonly itemsPerPage?: number | undefined;
  readonly nextCursor?: string | undefined;
  readonly previousCursor?: string | undefined;
}

export interface ListResponse<T> {
  schemas: [typeof SCHEMA.listResponse];
  totalResults: number;
  itemsPerPage: number;
  startIndex?: number;
  nextCursor?: string;
  previousCursor?: string;
  Resources: T[];
}

function int(n: number, min: number): number {
  return Number.isFinite(n) ? Math.max(min, Math.trunc(n)) : min;
}

export function listResponse<T>(input: ListResponseInput<T>): ListResponse<T> {
  const body: ListResponse<T> = {
    schemas: [SCHEMA.listResponse],
    totalResults: int(input.totalResults, 0),
    itemsPerPage: int(input.itemsPerPage ?? input.resources.length, 0),
    Resources: [],
  };
  if (input.startIndex !== undefined) body.startIndex = int(input.startIndex, 1);
  // RFC 9865: nextCursor is omitted exactly when this is the last page.
  if (input.nextCursor !== undefined && input.nextCursor !== '') body.nextCursor = input.nextCursor;
  if (input.previousCursor !== undefined && input.previousCursor !== '') body.previousCursor = input.previousCursor;
  body.Resources = [...input.resources];
  // Key order as clients' samples show it: metadata first, Resources last.
  const { Resources, ...meta } = body;
  return { ...meta, Resources };
}

export interface PagingQuery {
  readonly startIndex?: string | number | undefined;
  readonly count?: string | number | undefined;
  /** RFC 9865 `cursor`: present-but-empty (`?cursor` / `?cursor=`) asks for the first cursor page. */
  readonly cursor?: string | undefined;
}

export interface PagingLimits {
  readonly defaultCount: number;
  readonly maxCount: number;
}

export type Paging =
  | { readonly kind: 'index'; readonly startIndex: number; readonly count: number }
  | { readonly kind: 'cursor'; readonly cursor: string; readonly count: number };

function parseInteger(v: string | number | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : undefined;
}

// RFC 9865 §2: cursor values use only RFC 3986 unreserved characters.
const CURSOR = /^[A-Za-z0-9._~-]*$/;

/**
 * Query parameters → paging request. Index paging: startIndex < 1 or non-numeric → 1; count
 * missing or non-numeric → `defaultCount`, negative → 0, above `maxCount` → `maxCount`.
 * Cursor paging when `cursor` is present (even empty); combined with `startIndex` → 400
 * `invalidValue` (each parameter selects one paging method, RFC 9865 §2.3); a cursor with characters outside
 * the unreserved set → 400 `invalidCursor`. Whether a non-empty cursor is known/expired is the
 * store's call (`invalidCursor` / `expiredCursor`).
 */
export function normalizePaging(query: PagingQuery, limits: PagingLimits): Paging {
  const requested = parseInteger(query.count);
  const count = requested === undefined ? limits.defaultCount : Math.min(Math.max(requested, 0), limits.maxCount);
  if (query.cursor !== undefined) {
    if (query.startIndex !== undefined && query.startIndex !== '') {
      throw new ScimError(400, 'invalidValue', "'startIndex' and 'cursor' cannot be used together");
    }
    if (!CURSOR.test(query.cursor)) throw new ScimError(400, 'invalidCursor', 'Cursor value is invalid');
    return { kind: 'cursor', cursor: query.cursor, count };
  }
  const startIndex = parseInteger(query.startIndex);
  return { kind: 'index', startIndex: startIndex === undefined || startIndex < 1 ? 1 : startIndex, count };
}
