/**
 * Streaming listings for `scim-admin users|groups`: one DynamoDB page at a time (the store's own
 * `readPage`, strongly consistent, creation order), written out before the next page is read, with
 * the output stream's backpressure honoured — so 100k users export in constant memory.
 *
 * Filters are parsed and evaluated by the SCIM core on each page (not by the service's filtered
 * list, which reads all candidates at once and stops at `maxFilterRead`): any filter works at any
 * size. They see the stored document (+ id, meta), not the derived `groups`.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Filter } from '../../lambdas/scim/filter/ast.js';
import { matchesFilter } from '../../lambdas/scim/filter/evaluate.js';
import type { ResourceSchema } from '../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA, type ScimResource } from '../../lambdas/scim/schema/types.js';
import { scimView, type StoredResource } from '../../lambdas/store/items.js';
import type { ResourceKind } from '../../lambdas/store/keys.js';
import { readPage } from '../../lambdas/store/paging.js';
import type { ScimStore } from '../../lambdas/store/store.js';

export const PAGE_SIZE = 500;

export type Format = 'table' | 'csv' | 'json' | 'jsonl';

/** Pages of a connector's users or groups, in creation order. */
export async function* pages(store: ScimStore, connector: string, kind: ResourceKind, pageSize = PAGE_SIZE): AsyncGenerator<StoredResource[]> {
  let after: string | undefined;
  do {
    const page = await readPage(store.ctx, connector, kind, pageSize, after);
    if (page.items.length > 0) yield page.items;
    after = page.lastKey;
  } while (after !== undefined);
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR/LF or edge spaces; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly unknown[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

type Multi = { value?: unknown; primary?: unknown; type?: unknown }[];
function pick(list: unknown, type?: string): unknown {
  if (!Array.isArray(list)) return undefined;
  const l = list as Multi;
  const hit = (type ? l.find((x) => x.type === type) : undefined) ?? l.find((x) => x.primary === true) ?? l[0];
  return hit?.value;
}

/** CSV columns for users: what an IdP/HR import needs (askSpoke/Okta CSV import), flat. */
export const USER_COLUMNS: readonly [string, (u: ScimResource) => unknown][] = [
  ['id', (u) => u.id],
  ['userName', (u) => u.userName],
  ['externalId', (u) => u.externalId],
  ['active', (u) => (u.active === undefined ? undefined : u.active === true)],
  ['displayName', (u) => u.displayName],
  ['givenName', (u) => (u.name as Record<string, unknown> | undefined)?.givenName],
  ['familyName', (u) => (u.name as Record<string, unknown> | undefined)?.familyName],
  ['email', (u) => pick(u.emails, 'work')],
  ['phoneNumber', (u) => pick(u.phoneNumbers, 'work')],
  ['title', (u) => u.title],
  ['department', (u) => (u[SCHEMA.enterpriseUser] as Record<string, unknown> | undefined)?.department],
  ['employeeNumber', (u) => (u[SCHEMA.enterpriseUser] as Record<string, unknown> | undefined)?.employeeNumber],
  ['manager', (u) => ((u[SCHEMA.enterpriseUser] as Record<string, unknown> | undefined)?.manager as Record<string, unknown> | undefined)?.value],
  ['created', (u) => (u.meta as Record<string, unknown>).created],
  ['lastModified', (u) => (u.meta as Record<string, unknown>).lastModified],
];

const TABLE_USER_COLUMNS = ['id', 'userName', 'active', 'displayName', 'email'];

export const GROUP_COLUMNS: readonly [string, (g: ScimResource, r: StoredResource) => unknown][] = [
  ['id', (g) => g.id],
  ['displayName', (g) => g.displayName],
  ['externalId', (g) => g.externalId],
  ['members', (_g, r) => r.memberCount ?? 0],
  ['created', (g) => (g.meta as Record<string, unknown>).created],
  ['lastModified', (g) => (g.meta as Record<string, unknown>).lastModified],
];

export interface WriteListOptions {
  readonly store: ScimStore;
  readonly connector: string;
  readonly kind: ResourceKind;
  readonly format: Format;
  readonly out: Writable;
  readonly filter?: Filter;
  readonly schema: ResourceSchema;
  readonly pageSize?: number;
  /** Called after each page with the rows written so far. */
  readonly onProgress?: (written: number, scanned: number) => void;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Streams the listing in `format`; returns the number of resources written. */
export async function writeList(o: WriteListOptions): Promise<number> {
  // A terminal table shows the identifying columns only; csv carries them all.
  const userColumns = o.format === 'table' ? USER_COLUMNS.filter(([n]) => TABLE_USER_COLUMNS.includes(n)) : USER_COLUMNS;
  const columns = o.kind === 'User' ? userColumns.map(([n, f]) => [n, (v: ScimResource) => f(v)] as const) : null;
  const groupColumns = o.kind === 'Group' ? GROUP_COLUMNS : null;
  const header = (columns ?? groupColumns ?? []).map(([n]) => n);
  let written = 0;
  let scanned = 0;
  const tableRows: string[][] = [];
  if (o.format === 'csv') await write(o.out, csvLine(header));
  if (o.format === 'json') await write(o.out, '[');
  for await (const page of pages(o.store, o.connector, o.kind, o.pageSize)) {
    let chunk = '';
    for (const r of page) {
      scanned++;
      const view = scimView(r);
      if (o.filter && !matchesFilter(o.filter, view, o.schema)) continue;
      const row = (): unknown[] => (columns ? columns.map(([, f]) => f(view)) : groupColumns!.map(([, f]) => f(view, r)));
      if (o.format === 'csv') chunk += csvLine(row());
      else if (o.format === 'json') chunk += `${written === 0 ? '\n' : ',\n'}${JSON.stringify(view)}`;
      else if (o.format === 'jsonl') chunk += JSON.stringify(view) + '\n';
      else tableRows.push(row().map((v) => (v === undefined || v === null ? '' : String(v))));
      written++;
    }
    if (o.format === 'table' && tableRows.length > 0) {
      // Aligned per page (a terminal view; use csv/json for files): memory stays one page.
      chunk = renderTable(written === tableRows.length ? header : null, tableRows);
      tableRows.length = 0;
    }
    if (chunk) await write(o.out, chunk);
    o.onProgress?.(written, scanned);
  }
  if (o.format === 'json') await write(o.out, written === 0 ? ']\n' : '\n]\n');
  return written;
}

export function renderTable(header: readonly string[] | null, rows: readonly (readonly string[])[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = (all[0] ?? []).map((_, i) => Math.min(60, Math.max(...all.map((r) => (r[i] ?? '').length))));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
