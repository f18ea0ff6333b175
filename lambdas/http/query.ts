/**
 * Query parameters of an API Gateway REST (v1) proxy event.
 *
 * Why not parse a raw query string: REST v1 events carry none (only HTTP API v2 has
 * `rawQueryString`). API Gateway REST already decodes each parameter once, with form rules: `+`
 * becomes a space (aws/aws-cdk#19827 shows `sort=-+createdAt` arriving as `"- createdAt"`) and
 * `%2B` becomes `+` (micronaut-aws#1412 shows `aa%2Bbb` arriving as `aa+bb`). That is exactly what
 * Entra (`filter=userName+eq+%22…%22`) and Okta (`%20`) mean, so the correct handling is to take
 * `multiValueQueryStringParameters` as they are and NEVER decode again (double decoding is the bug
 * other stacks hit: a literal `+` that came as `%2B` would turn into a space). The local gateway
 * decodes the raw query the same way, so local and AWS events are identical.
 * Residual risk: API Gateway's handling of malformed escapes (`%zz`, a lone `%`) is not documented;
 * such values only make the filter parser answer 400 invalidFilter.
 *
 * Parameter names are matched case-insensitively (clients differ: `startIndex`, `startindex`).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export class QueryParams {
  private readonly values = new Map<string, string[]>();

  constructor(entries: Iterable<[string, string]>) {
    for (const [k, v] of entries) {
      const key = k.toLowerCase();
      const list = this.values.get(key);
      if (list) list.push(v);
      else this.values.set(key, [v]);
    }
  }

  static fromEvent(event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>): QueryParams {
    const entries: [string, string][] = [];
    if (event.multiValueQueryStringParameters) {
      for (const [k, vs] of Object.entries(event.multiValueQueryStringParameters)) for (const v of vs ?? []) entries.push([k, v]);
    } else if (event.queryStringParameters) {
      for (const [k, v] of Object.entries(event.queryStringParameters)) if (v !== undefined) entries.push([k, v]);
    }
    return new QueryParams(entries);
  }

  /** The first value of a parameter (repeats after the first are ignored). */
  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase())?.[0];
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
}

/**
 * Form-decodes a raw query string the way API Gateway REST builds its parameter maps (used by the
 * local gateway): split on `&`, first `=` separates name and value, `+` → space, then percent-decode;
 * an invalid escape leaves that component as it was.
 */
export function decodeRawQuery(raw: string): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  const multi: Record<string, string[]> = {};
  const single: Record<string, string> = {};
  let any = false;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = formDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : formDecode(part.slice(eq + 1));
    if (name === '') continue;
    any = true;
    (multi[name] ??= []).push(value);
    single[name] = value; // REST v1: the single-value map holds the last value
  }
  return any ? { single, multi } : undefined;
}

function formDecode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
