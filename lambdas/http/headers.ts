/**
 * Case-insensitive header access for API Gateway REST proxy events. API Gateway keeps the client's
 * header-name casing, so `Authorization` may arrive as `authorization`.
 */

type HeaderBag = Record<string, string | undefined> | null | undefined;
type MultiHeaderBag = Record<string, string[] | undefined> | null | undefined;

export interface HeaderSource {
  headers?: HeaderBag;
  multiValueHeaders?: MultiHeaderBag;
}

/**
 * Lower-cased name → values, built once per event (a request reads several headers; scanning and
 * lower-casing every name on each read was a measurable part of a handler's own time). The
 * multi-value form wins, as API Gateway fills both from the same request; the first spelling of a
 * name wins when a client sent it twice in different cases.
 */
const indexes = new WeakMap<HeaderSource, Map<string, string[]>>();

function headerIndex(event: HeaderSource): Map<string, string[]> {
  let index = indexes.get(event);
  if (index) return index;
  index = new Map();
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) {
    const lower = k.toLowerCase();
    if (v && v.length > 0 && !index.has(lower)) index.set(lower, v);
  }
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    const lower = k.toLowerCase();
    if (v !== undefined && !index.has(lower)) index.set(lower, [v]);
  }
  indexes.set(event, index);
  return index;
}

/** The first value of a header, or undefined. */
export function header(event: HeaderSource, name: string): string | undefined {
  return headerIndex(event).get(name.toLowerCase())?.[0];
}

/** All values of a header (repeated headers and comma lists are the caller's concern). */
export function headerValues(event: HeaderSource, name: string): string[] {
  return headerIndex(event).get(name.toLowerCase()) ?? [];
}
