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

/** The first value of a header, or undefined. */
export function header(event: HeaderSource, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) {
    if (k.toLowerCase() === lower && v && v.length > 0) return v[0];
  }
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === lower && v !== undefined) return v;
  }
  return undefined;
}

/** All values of a header (repeated headers and comma lists are the caller's concern). */
export function headerValues(event: HeaderSource, name: string): string[] {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) {
    if (k.toLowerCase() === lower && v) return v;
  }
  const single = header(event, name);
  return single === undefined ? [] : [single];
}
