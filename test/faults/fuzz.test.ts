/**
 * Seeded fuzzing of the HTTP endpoint (fast-check; FUZZ_SEED / FUZZ_RUNS to reproduce or scale):
 * bodies, PATCH operations, filters, paths, query parameters, headers and content types, sent
 * concurrently over keep-alive to the local gateway + handlers + DynamoDB Local.
 *
 *  - phase A (must-reject + read-only): GETs with hostile paths/queries/headers, and writes built
 *    so that they can only be rejected (unknown ids, bad JSON/content types, non-object bodies,
 *    PATCHes ending in an invalid operation, every limit exceeded). Every answer is non-2xx for
 *    the writes, and the store is byte-for-byte unchanged afterwards (snapshot before/after);
 *  - phase B (anything goes): random SCIM-ish POST/PUT/PATCH bodies, some valid.
 * Both phases: zero 5xx; every non-2xx a SCIM Error (`application/scim+json`, schemas, status as a
 * string equal to the HTTP status, detail); `Cache-Control: no-store`; no `Server`/`X-Powered-By`;
 * no answer of connector alpha mentions connector beta's ids; the password marker never comes back.
 * Logs of the whole run are captured: no token, no password, no request body in any line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { documentClient } from '../../lambdas/http/app.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GROUP, PATCH_OP, SCIM_ERROR, ScimClient, USER } from '../e2e/support/local.js';
import { assertLoopback } from '../support/ddb.js';
import { dataItems, scanConnector } from './support/invariants.js';

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 16;
const PASSWORD_MARK = 'Pw-Marker-7f3a9';
const BODY_MARK = 'Body-Marker-c41d';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let dir: string;
let endpoint: LocalEndpoint;
let doc: DynamoDBDocumentClient;
let alpha: ScimClient;
const seed: { user: string; group: string; betaUser: string; betaGroup: string } = { user: '', group: '', betaUser: '', betaGroup: '' };
const logLines: string[] = [];
let restoreStdout: (() => void) | undefined;

interface FuzzRequest {
  method: string;
  path: string; // after the tenant URL, may include a query
  headers: Record<string, string>;
  body?: string | Buffer;
  mustReject: boolean;
  kind: string;
}

beforeAll(async () => {
  // Capture the handlers' log lines (Powertools writes JSON lines to stdout).
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (s.startsWith('{')) {
      logLines.push(s);
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  restoreStdout = () => (process.stdout.write = write);

  dir = mkdtempSync(join(tmpdir(), 'scim-fuzz-'));
  endpoint = await startLocalEndpoint({
    connectors: parseConnectors([{ name: 'alpha' }, { name: 'beta' }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `fuzz-${randomBytes(4).toString('hex')}`,
    logLevel: 'INFO',
  });
  doc = documentClient(endpoint.dynamodbEndpoint);
  alpha = new ScimClient(endpoint.connectors.alpha!.tenantUrl, endpoint.connectors.alpha!.token);
  const beta = new ScimClient(endpoint.connectors.beta!.tenantUrl, endpoint.connectors.beta!.token);
  const u = await alpha.post('/Users', { schemas: [USER], userName: 'seed@example.com', password: PASSWORD_MARK, emails: [{ value: 'seed@example.com', type: 'work' }] });
  const g = await alpha.post('/Groups', { schemas: [GROUP], displayName: 'seed group', members: [{ value: u.body.id }] });
  const bu = await beta.post('/Users', { schemas: [USER], userName: 'beta-only@example.com' });
  const bg = await beta.post('/Groups', { schemas: [GROUP], displayName: 'beta group' });
  for (const r of [u, g, bu, bg]) expect(r.status, r.text).toBe(201);
  Object.assign(seed, { user: u.body.id, group: g.body.id, betaUser: bu.body.id, betaGroup: bg.body.id });
}, 120_000);

afterAll(async () => {
  restoreStdout?.();
  await endpoint?.stop();
  doc?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ generators

/** encodeURIComponent that tolerates lone surrogates (sent as the raw bytes of U+D800). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^%A-Za-z0-9\-_.~]/g, (c) => { try { return encodeURIComponent(c); } catch { return '%3F'; } });
  }
}

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '%', '%zz', '%00', '..', '../..', '%2e%2e', '\u0000', '\ud800', '😀', '"', "'", '\\', '#', '?', '&', '=', '+', 'null', 'undefined', '{}', '[]'),
);
const attrName = fc.constantFrom(
  'userName', 'USERNAME', 'name', 'name.givenName', 'displayName', 'active', 'emails', 'emails[type eq "work"].value', 'members', 'members[value eq "x"]',
  'groups', 'id', 'meta', 'externalId', 'password', 'phoneNumbers', 'addresses', 'roles', 'x509Certificates', `${ENTERPRISE}:manager`, `${ENTERPRISE}:department`,
  `${ENTERPRISE}`, 'urn:unknown:schema:attr', 'title', 'schemas', 'nickName', 'a.b.c', '', 'emails[', 'members[value eq]',
);
const jsonValue = fc.oneof(
  { maxDepth: 3 },
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(true, false, 'True', 'False', null, '', 0, -1, 1e308, [], {}, [null], [{}], [{ value: null }], { value: '' }),
  fc.string({ maxLength: 30 }),
);
const filterTokens = fc.array(
  fc.oneof(
    attrName,
    fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', '(', ')', '[', ']', '"x"', '"', 'true', 'null', '42', '1.5e3', ' ', '.'),
    junk,
  ),
  { maxLength: 12 },
).map((t) => t.join(' '));
const deepFilter = fc.integer({ min: 1, max: 80 }).map((d) => '('.repeat(d) + 'userName eq "a"' + ')'.repeat(d));
const filter = fc.oneof(filterTokens, deepFilter, fc.constant('userName eq "' + 'a'.repeat(5000) + '"'), fc.constant(`id eq "${'x'}"`));
const queryValue = fc.oneof(junk, filter, fc.integer().map(String), fc.constantFrom('-1', '0', '1', '1001', '999999999999', '1e3', '0x10', 'NaN'));
const query = fc
  .array(fc.tuple(fc.constantFrom('filter', 'count', 'startIndex', 'cursor', 'attributes', 'excludedAttributes', 'sortBy', 'FILTER', 'Count', 'x'), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${k}=${enc(v)}`).join('&')));
const contentType = fc.constantFrom(
  'application/scim+json', 'application/json', 'application/scim+json; charset=utf-8', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded', '', 'application/scim+json;;;', 'APPLICATION/SCIM+JSON',
);
const extraHeaders = fc.dictionary(
  fc.constantFrom('If-Match', 'If-None-Match', 'Accept', 'X-Forwarded-For', 'X-Forwarded-Host', 'Host-Override', 'Accept-Encoding', 'X-Http-Method-Override'),
  fc.oneof(fc.constantFrom('*', 'W/"1"', '"1"', 'W/"999"', 'W/', 'text/html'), fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''))),
  { maxKeys: 2 },
);
const unknownId = fc.oneof(fc.uuid(), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 })).map((s) => 'nope-' + s);
const idSegment = unknownId.map(enc);
const patchOp = fc.record(
  { op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE'), junk), path: fc.option(fc.oneof(attrName, filter, junk), { nil: undefined }), value: fc.option(jsonValue, { nil: undefined }) },
  { requiredKeys: ['op'] },
);
const scimBody = fc
  .dictionary(attrName, jsonValue, { maxKeys: 6 })
  .map((o) => ({ ...o, password: PASSWORD_MARK, nickName: BODY_MARK }));

/** Requests that can only be rejected, and reads (which must not change anything either). */
const rejectOnly: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // reads: hostile paths, queries, headers
  fc.record({ p: fc.constantFrom('/Users', '/Groups', `/Users/ID`, `/Groups/GID`, '/ServiceProviderConfig', '/Schemas', '/ResourceTypes/x', '/Users/.search'), q: query, h: extraHeaders }).map(({ p, q, h }) => ({
    method: 'GET', path: p.replace('ID', seed.user).replace('GID', seed.group) + q, headers: h, mustReject: false, kind: 'read',
  })),
  fc.record({ seg: fc.array(fc.oneof(idSegment, junk.map(enc)), { minLength: 1, maxLength: 4 }), m: fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'FOO') }).map(({ seg, m }) => ({
    method: m, path: '/' + seg.join('/'), headers: {}, mustReject: m !== 'GET' && m !== 'HEAD', kind: 'path',
  })),
  // writes to ids that do not exist
  fc.record({ m: fc.constantFrom('PUT', 'PATCH', 'DELETE'), t: fc.constantFrom('Users', 'Groups'), id: idSegment, b: fc.oneof(scimBody, fc.array(patchOp, { maxLength: 4 }).map((Operations) => ({ schemas: [PATCH_OP], Operations }))), h: extraHeaders }).map(
    ({ m, t, id, b, h }) => ({ method: m, path: `/${t}/${id}`, headers: { 'Content-Type': 'application/scim+json', ...h }, body: JSON.stringify(b), mustReject: true, kind: 'unknown-id' }),
  ),
  // wrong content types and broken bodies
  fc.record({ t: fc.constantFrom('/Users', '/Groups'), ct: contentType.filter((c) => !/json/i.test(c) && c !== ''), b: scimBody }).map(({ t, ct, b }) => ({
    method: 'POST', path: t, headers: { 'Content-Type': ct }, body: JSON.stringify(b), mustReject: true, kind: 'content-type',
  })),
  fc.record({ t: fc.constantFrom('/Users', '/Groups', `/Users/ID`), m: fc.constantFrom('POST', 'PUT', 'PATCH'), raw: fc.oneof(fc.string({ maxLength: 60 }).filter((s) => { try { const v = JSON.parse(s); return typeof v !== 'object' || v === null || Array.isArray(v); } catch { return true; } }), fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from([0xff, ...a])), fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v))) }).map(
    ({ t, m, raw }) => ({ method: m === 'POST' && t.includes('ID') ? 'PUT' : m === 'PATCH' && !t.includes('ID') ? 'POST' : m, path: t.replace('ID', seed.user), headers: { 'Content-Type': 'application/scim+json' }, body: raw, mustReject: true, kind: 'broken-body' }),
  ),
  // PATCHes of existing resources that end in an invalid operation (parsed before any write)
  fc.record({ t: fc.constantFrom('Users', 'Groups'), ops: fc.array(patchOp, { maxLength: 5 }), bad: fc.constantFrom({ op: 'explode' }, { op: 'remove' }, { op: 'add' }, { op: 'replace', path: 7, value: 'x' }, 42) }).map(({ t, ops, bad }) => ({
    method: 'PATCH', path: `/${t}/${t === 'Users' ? seed.user : seed.group}`, headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [...ops, bad], password: PASSWORD_MARK }), mustReject: true, kind: 'bad-patch',
  })),
  // every limit exceeded
  fc.constantFrom(
    { kind: 'limit-emails', method: 'POST', path: '/Users', body: { userName: 'lim1@x', emails: Array.from({ length: 101 }, (_, i) => ({ value: `e${i}@x` })) } },
    { kind: 'limit-length', method: 'POST', path: '/Users', body: { userName: 'lim2@x', displayName: 'x'.repeat(8193) } },
    { kind: 'limit-ops', method: 'PATCH', path: '/Users/ID', body: { schemas: [PATCH_OP], Operations: Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'title', value: 't' })) } },
    { kind: 'limit-members', method: 'PATCH', path: '/Groups/GID', body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: Array.from({ length: 10_001 }, (_, i) => ({ value: `m${i}` })) }] } },
    { kind: 'limit-members-post', method: 'POST', path: '/Groups', body: { displayName: 'lim-g', members: Array.from({ length: 10_001 }, (_, i) => ({ value: `m${i}` })) } },
    { kind: 'limit-body', method: 'POST', path: '/Users', body: { userName: 'lim3@x', nickName: 'y'.repeat(1024 * 1024) } },
    { kind: 'limit-doc', method: 'POST', path: '/Users', body: { userName: 'lim4@x', emails: Array.from({ length: 100 }, (_, i) => ({ value: `${'e'.repeat(3000)}${i}@x`, display: 'd'.repeat(3000) })) } },
  ).map((l) => ({ method: l.method, path: l.path.replace('GID', seed.group).replace('ID', seed.user), headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify(l.body), mustReject: true, kind: l.kind })),
);

/** Anything goes: random bodies and PATCHes on alpha's resources (some succeed). */
const anything: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.record({ t: fc.constantFrom('/Users', '/Groups'), b: scimBody, ct: contentType }).map(({ t, b, ct }) => ({ method: 'POST', path: t, headers: (ct === '' ? {} : { 'Content-Type': ct }) as Record<string, string>, body: JSON.stringify(b), mustReject: false, kind: 'any-post' })),
  fc.record({ t: fc.constantFrom('Users', 'Groups'), ops: fc.array(patchOp, { minLength: 1, maxLength: 5 }) }).map(({ t, ops }) => ({
    method: 'PATCH', path: `/${t}/${t === 'Users' ? seed.user : seed.group}`, headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify({ schemas: [PATCH_OP], Operations: ops }), mustReject: false, kind: 'any-patch',
  })),
  fc.record({ t: fc.constantFrom('Users', 'Groups'), b: scimBody }).map(({ t, b }) => ({
    method: 'PUT', path: `/${t}/${t === 'Users' ? seed.user : seed.group}`, headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify(b), mustReject: false, kind: 'any-put',
  })),
  fc.record({ b: fc.record({ filter, count: fc.oneof(fc.integer(), junk), startIndex: fc.oneof(fc.integer(), junk), attributes: fc.oneof(junk, fc.array(attrName)) }, { requiredKeys: [] }) }).map(({ b }) => ({
    method: 'POST', path: '/Users/.search', headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...b }), mustReject: false, kind: 'any-search',
  })),
);

// ------------------------------------------------------------------ runner and checks

interface Outcome {
  req: FuzzRequest;
  status: number;
  headers: Headers;
  text: string;
}

async function send(r: FuzzRequest): Promise<Outcome> {
  const headers: Record<string, string> = { Authorization: `Bearer ${endpoint.connectors.alpha!.token}`, ...r.headers };
  const res = await fetch(`${alpha.tenantUrl}${r.path}`, { method: r.method, headers, ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { body: r.body } : {}) });
  const text = await res.text();
  return { req: r, status: res.status, headers: res.headers, text };
}

async function runAll(reqs: readonly FuzzRequest[]): Promise<Outcome[]> {
  const out: Outcome[] = new Array(reqs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < reqs.length; i = next++) out[i] = await send(reqs[i]!);
    }),
  );
  return out;
}

function problems(o: Outcome): string[] {
  const p: string[] = [];
  const where = `${o.req.kind} ${o.req.method} ${o.req.path.slice(0, 120)} → ${o.status} ${o.text.slice(0, 200)}`;
  if (o.status >= 500) p.push(`5xx: ${where}`);
  if (o.req.mustReject && o.status < 300) p.push(`accepted a must-reject request: ${where}`);
  if (o.headers.get('server') || o.headers.get('x-powered-by')) p.push(`banner: ${where}`);
  if (o.headers.get('cache-control') !== 'no-store') p.push(`cache-control ${o.headers.get('cache-control')}: ${where}`);
  if (o.text.includes(PASSWORD_MARK)) p.push(`password echoed: ${where}`);
  if (o.text.includes(seed.betaUser) || o.text.includes(seed.betaGroup) || o.text.includes('beta-only') || o.text.includes('C#')) p.push(`other connector's data: ${where}`);
  if (o.status >= 300 && o.status !== 304 && o.req.method !== 'HEAD') {
    let body: { schemas?: unknown; status?: unknown; detail?: unknown } | undefined;
    try {
      body = JSON.parse(o.text) as typeof body;
    } catch {
      body = undefined;
    }
    if (o.headers.get('content-type') !== 'application/scim+json') p.push(`content-type ${o.headers.get('content-type')}: ${where}`);
    if (!body || JSON.stringify(body.schemas) !== JSON.stringify([SCIM_ERROR]) || body.status !== String(o.status) || typeof body.detail !== 'string')
      p.push(`not a SCIM error: ${where}`);
    if (/Exception|stack|at \w+ \(|node_modules|DynamoDB/.test(o.text)) p.push(`internals: ${where}`);
  }
  return p;
}

async function snapshot(): Promise<string> {
  const a = dataItems(await scanConnector(doc, endpoint.tableName, 'alpha'));
  const b = dataItems(await scanConnector(doc, endpoint.tableName, 'beta'));
  return JSON.stringify({ a, b });
}

function summary(outcomes: readonly Outcome[]): Record<string, Record<number, number>> {
  const s: Record<string, Record<number, number>> = {};
  for (const o of outcomes) {
    const k = (s[o.req.kind] ??= {});
    k[o.status] = (k[o.status] ?? 0) + 1;
  }
  return s;
}

const phaseARuns = Math.ceil(RUNS * 0.8);
const phaseBRuns = RUNS - phaseARuns;

describe(`fuzz (seed ${SEED}, ${RUNS} requests)`, () => {
  it(`phase A: ${phaseARuns} reads and must-reject writes leave the store unchanged`, async () => {
    const reqs = fc.sample(rejectOnly, { seed: SEED, numRuns: phaseARuns });
    const before = await snapshot();
    const t0 = performance.now();
    const outcomes = await runAll(reqs);
    const ms = performance.now() - t0;
    console.log(`fuzz A: ${outcomes.length} requests in ${Math.round(ms)} ms (${Math.round((outcomes.length / ms) * 1000)}/s) ${JSON.stringify(summary(outcomes))}`);
    expect(outcomes.flatMap(problems).slice(0, 20)).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it(`phase B: ${phaseBRuns} arbitrary writes: no 5xx, well-formed errors`, async () => {
    const reqs = fc.sample(anything, { seed: SEED + 1, numRuns: phaseBRuns });
    const t0 = performance.now();
    const outcomes = await runAll(reqs);
    const ms = performance.now() - t0;
    console.log(`fuzz B: ${outcomes.length} requests in ${Math.round(ms)} ms ${JSON.stringify(summary(outcomes))}`);
    expect(outcomes.flatMap(problems).slice(0, 20)).toEqual([]);
  });

  it('no log line carries a token, the password or a request body', () => {
    expect(logLines.length).toBeGreaterThan(RUNS / 10); // one provisioning line per handled request
    const tokens = [endpoint.connectors.alpha!.token, endpoint.connectors.beta!.token];
    const bad = logLines.filter((l) => tokens.some((t) => l.includes(t)) || l.includes(PASSWORD_MARK) || l.includes(BODY_MARK) || /"Operations":|"schemas":\[/.test(l));
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
