/**
 * e2e support: one local endpoint per test file (real HTTP on an ephemeral loopback port, the real
 * handlers and authorizer, the DynamoDB Local of the global setup, a fresh table and token folder),
 * and a small SCIM client with assertion helpers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startLocalEndpoint, type LocalEndpoint } from '../../../bin/local/endpoint.js';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { assertLoopback } from '../../support/ddb.js';

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface Local {
  endpoint: LocalEndpoint;
  client(connector: string, token?: string | null): ScimClient;
  stop(): Promise<void>;
}

/** Connectors `alpha`, `beta` (scim/v2) and `spaceiq` (base path `scim`). */
export async function startLocal(): Promise<Local> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-e2e-'));
  const endpoint = await startLocalEndpoint({
    connectors: parseConnectors([{ name: 'alpha' }, { name: 'beta' }, { name: 'spaceiq', basePath: 'scim' }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `e2e-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    logLevel: 'SILENT',
  });
  return {
    endpoint,
    client: (connector, token) => {
      const c = endpoint.connectors[connector];
      if (!c) throw new Error(`no connector ${connector}`);
      return new ScimClient(c.tenantUrl, token === undefined ? c.token : token);
    },
    stop: async () => {
      await endpoint.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Per-file endpoint lifecycle: before the file's tests starts `start()` (e.g. `startLocal`) and
 * hands `connector`'s client to `use`; after them stops the endpoint.
 */
export function useLocalClient(start: () => Promise<Local>, connector: string, use: (client: ScimClient) => void): void {
  let local: Local | undefined;
  beforeAll(async () => {
    local = await start();
    use(local.client(connector));
  });
  afterAll(async () => {
    await local?.stop();
  });
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ReqOptions {
  body?: unknown;
  /** Sent as is (no JSON.stringify). */
  raw?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Authorization header value as is; default `Bearer <token>`. */
  authorization?: string | null;
}

export class ScimClient {
  constructor(
    readonly tenantUrl: string,
    readonly token: string | null,
  ) {}

  async req(method: string, path: string, o: ReqOptions = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const auth = o.authorization !== undefined ? o.authorization : this.token === null ? null : `Bearer ${this.token}`;
    if (auth !== null) headers.Authorization = auth;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && o.contentType !== null) headers['Content-Type'] = o.contentType ?? 'application/scim+json; charset=utf-8';
    // fetch adds `text/plain` to string bodies; bytes go without a Content-Type.
    if (typeof body === 'string' && o.contentType === null) body = Buffer.from(body);
    const res = await fetch(`${this.tenantUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: json };
  }

  get(path: string, o?: ReqOptions) {
    return this.req('GET', path, o);
  }
  post(path: string, body: unknown, o?: ReqOptions) {
    return this.req('POST', path, { ...o, body });
  }
  put(path: string, body: unknown, o?: ReqOptions) {
    return this.req('PUT', path, { ...o, body });
  }
  patch(path: string, ops: unknown[], o?: ReqOptions) {
    return this.req('PATCH', path, { ...o, body: { schemas: [PATCH_OP], Operations: ops } });
  }
  delete(path: string, o?: ReqOptions) {
    return this.req('DELETE', path, o);
  }

  /** Everything the connector holds (users with groups, groups with members), for "nothing changed". */
  async snapshot(): Promise<unknown> {
    const users = await this.get('/Users?count=1000&attributes=userName,groups,active,name,emails,externalId,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    const groups = await this.get('/Groups?count=1000&attributes=displayName,members,externalId');
    expect(users.status).toBe(200);
    expect(groups.status).toBe(200);
    return { users: users.body, groups: groups.body };
  }
}

export function expectScim(res: Res, status: number): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status });
  if (res.status !== 204 && res.status !== 304) expect(res.headers.get('content-type')).toBe('application/scim+json');
}

export function expectScimError(res: Res, status: number, scimType?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/scim+json');
  expect(res.body).toMatchObject({ schemas: [SCIM_ERROR], status: String(status) });
  expect(typeof res.body.detail).toBe('string');
  if (scimType === undefined) expect(res.body.scimType).toBeUndefined();
  else expect(res.body.scimType).toBe(scimType);
}

export function expectList(res: Res, totalResults: number): void {
  expectScim(res, 200);
  expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults });
  expect(Array.isArray(res.body.Resources)).toBe(true);
  expect(Number.isInteger(res.body.itemsPerPage)).toBe(true);
}

/** Entra's GUID-like random values. */
export function guid(): string {
  return crypto.randomUUID();
}
