/**
 * Entity tags for resource versions (RFC 7644 §3.14, RFC 9110 §8.8.3). We emit weak tags
 * `W/"<version>"` (the representation depends on projection, so byte-equality is not promised).
 * Parsing is tolerant: strong or weak, quoted or bare, comma-separated lists, and `*`, because
 * `If-Match`/`If-None-Match` may carry any of them. Neither Entra nor Okta sends preconditions
 * (scim-clients.md §4 #24); they are honoured when present and never required.
 */

export function etagFor(version: number): string {
  return `W/"${version}"`;
}

export interface ParsedEtags {
  /** The header was `*`. */
  readonly any: boolean;
  /** Opaque tags without `W/` and quotes, in order. */
  readonly tags: readonly string[];
}

/** Parses an `If-Match`/`If-None-Match`/`ETag` value; `undefined` when absent or blank. */
export function parseEtag(header: string | undefined | null): ParsedEtags | undefined {
  if (header === undefined || header === null || header.trim() === '') return undefined;
  const tags: string[] = [];
  let any = false;
  let i = 0;
  const s = header;
  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    if (s.startsWith('W/', i) || s.startsWith('w/', i)) i += 2;
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      const stop = end < 0 ? s.length : end;
      tags.push(s.slice(i + 1, stop));
      i = stop + 1;
    } else {
      let end = s.indexOf(',', i);
      if (end < 0) end = s.length;
      const token = s.slice(i, end).trim();
      if (token === '*') any = true;
      else if (token !== '') tags.push(token);
      i = end;
    }
  }
  return { any, tags };
}

/** The version a tag of ours encodes, or undefined for foreign tags. */
export function versionFromEtag(tag: string): number | undefined {
  const parsed = parseEtag(tag);
  const t = parsed?.tags[0];
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** Weak comparison (RFC 9110 §8.8.3.2) of a precondition header against the current version. */
export function etagMatches(header: string | undefined | null, version: number): boolean {
  const parsed = parseEtag(header);
  if (!parsed) return false;
  return parsed.any || parsed.tags.includes(String(version));
}
