/**
 * `scim-admin check`: is this deployment ready to paste into Entra ID / Okta? Per connector, in
 * order, read-only (GET requests and a secret read, nothing written anywhere):
 *
 *  1. the token secret is readable and has the authorizer's JSON shape (lambdas/auth/tokens.ts);
 *  2. `GET /ServiceProviderConfig` with its current token → 200 and a SCIM ServiceProviderConfig;
 *  3. the identity providers' Test Connection probes: Entra ID's
 *     `GET /Users?filter=userName eq "<random uuid>"` → 200 ListResponse with `totalResults: 0`,
 *     and Okta's `GET /Users?startIndex=1&count=1` → 200 ListResponse;
 *  4. no token → 401 SCIM error with `WWW-Authenticate: Bearer`; with two or more connectors,
 *     another connector's token → 401 (isolation);
 *  5. `/Groups` answers as the profile says: a ListResponse, or 404 for users-only profiles (the
 *     connector's profile as cdk.json names it, built-in or configured; otherwise what the endpoint
 *     publishes in /ResourceTypes).
 *
 * A step that needs what an earlier step could not give (the token, a reachable endpoint) is
 * skipped, never guessed. A 401 at step 2 is retried once after the authorizer's minimum secret
 * re-read interval (1 s, lambdas/auth/token-source.ts), so a token written a moment ago is not
 * reported as a mismatch. Every failure carries a reason a person can act on; token values never
 * appear in the output.
 */
import { PAUSED_DETAIL } from '../../lambdas/http/pause.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { tokenAge } from '../../lambdas/auth/token-age.js';
import { parseTokenSet, type TokenSet } from '../../lambdas/auth/tokens.js';
import type { ConnectorProfile } from '../../lambdas/connectors/profile.js';
import { PROFILES } from '../../lambdas/connectors/profiles.js';
import { AdminError, type AdminBackend, type ConnectorRef } from './backend.js';
import { renderTable } from './export.js';

export const CHECK_STEPS = [
  { step: 1, id: 'secret', title: 'token secret readable, expected shape', column: '1 SECRET' },
  { step: 2, id: 'serviceProviderConfig', title: 'GET /ServiceProviderConfig with the token', column: '2 CONFIG' },
  { step: 3, id: 'probes', title: 'Entra ID and Okta Test Connection probes', column: '3 PROBES' },
  { step: 4, id: 'auth', title: "no token / another connector's token → 401", column: '4 AUTH' },
  { step: 5, id: 'groups', title: '/Groups as the profile says', column: '5 GROUPS' },
] as const;

export type StepId = (typeof CHECK_STEPS)[number]['id'];
export type Outcome = 'pass' | 'fail' | 'skip';

export interface StepResult {
  readonly step: number;
  readonly id: StepId;
  readonly title: string;
  readonly outcome: Outcome;
  /** Wall time of the step (secret read or HTTP requests), when it ran. */
  readonly ms: number | null;
  readonly detail: string;
}

export interface ConnectorCheck {
  readonly connector: string;
  readonly tenantUrl: string | null;
  readonly profile: string | null;
  readonly passed: boolean;
  readonly steps: StepResult[];
}

export interface CheckReport {
  readonly target: string;
  readonly checkedAt: string;
  readonly passed: boolean;
  readonly connectors: ConnectorCheck[];
}

export interface CheckOptions {
  readonly backend: Pick<AdminBackend, 'kind' | 'description' | 'readTokenSecret'>;
  /** Every connector of the deployment (another connector's token for the isolation check). */
  readonly all: readonly ConnectorRef[];
  readonly now: () => Date;
  /** Default: global fetch. */
  readonly fetch?: typeof fetch;
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
  /** Wait before re-trying a 401 at step 2; default 1.1 s (the authorizer's re-read interval). */
  readonly retryDelayMs?: number;
  /** Whether the named profile offers groups (undefined: unknown); default: the built-in profiles. */
  readonly profileOffersGroups?: (profile: string) => boolean | undefined;
  /** Called before each connector (progress). */
  readonly onConnector?: (name: string, index: number, total: number) => void;
}

const SCIM = {
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

const EXPECTED_SHAPE = '{"current": "<token>", "previous"?: "<token>", "previousExpiresAt"?: "<ISO date>", "rotatedAt"?: "<ISO date>"}';

// ------------------------------------------------------------------------------------------ secrets

type SecretOutcome =
  | { readonly ok: true; readonly tokens: TokenSet; readonly ms: number; readonly detail: string }
  | { readonly ok: false; readonly ms: number; readonly reason: string };

function awsSecretReason(e: Error, connector: string): string {
  const msg = e.message ?? '';
  switch (e.name) {
    case 'ResourceNotFoundException':
      return `the secret does not exist (deleted, or another account/region than the stack?): ${msg}`;
    case 'AccessDeniedException':
      return `your AWS identity may not read the secret (it needs secretsmanager:GetSecretValue on it, and kms:Decrypt with a customer-managed key): ${msg}`;
    case 'DecryptionFailure':
      return `Secrets Manager cannot decrypt the secret with its KMS key (key disabled or deleted?): ${msg}`;
    case 'InvalidRequestException':
      return /delet/i.test(msg)
        ? `the secret is scheduled for deletion: restore it with aws secretsmanager restore-secret --secret-id <TokenSecretArn of ${connector}>, or redeploy`
        : `${e.name}: ${msg}`;
    default:
      return `${e.name || 'Error'}: ${msg}`;
  }
}

async function readSecret(o: CheckOptions, connector: string): Promise<SecretOutcome> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  let read;
  try {
    read = await o.backend.readTokenSecret(connector);
  } catch (e) {
    if (e instanceof AdminError) return { ok: false, ms: ms(), reason: e.message };
    const err = e as NodeJS.ErrnoException;
    if (err?.code && err.syscall) return { ok: false, ms: ms(), reason: `cannot read the token file: ${err.code} (${err.message})` };
    return { ok: false, ms: ms(), reason: `cannot read the secret: ${awsSecretReason(err, connector)}` };
  }
  const elapsed = ms();
  let tokens: TokenSet;
  try {
    tokens = parseTokenSet(read.text); // its errors never quote the secret
  } catch (e) {
    return {
      ok: false,
      ms: elapsed,
      reason: `${(e as Error).message}: the authorizer cannot use it, so every request of this connector is answered 503. Write it again in the shape ${EXPECTED_SHAPE} (README, Deploy → Rotate a token)`,
    };
  }
  const now = o.now();
  const parts = ['current token'];
  if (tokens.previous) {
    const until = tokens.previousExpiresAt ? Date.parse(tokens.previousExpiresAt) : Number.NaN;
    parts.push(until > now.getTime() ? `previous accepted until ${tokens.previousExpiresAt}` : 'previous no longer accepted');
  }
  const rawRotatedAt = (JSON.parse(read.text) as { rotatedAt?: unknown }).rotatedAt;
  if (rawRotatedAt !== undefined && tokens.rotatedAt === undefined) parts.push('rotatedAt is not an ISO date-time (ignored)');
  const age = tokenAge(tokens, read.writtenAt, now);
  if (age) parts.push(`${Math.floor(age.days)} d old`);
  return { ok: true, tokens, ms: elapsed, detail: parts.join(', ') };
}

// ------------------------------------------------------------------------------------------ HTTP

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
  readonly contentType: string;
  readonly ms: number;
}

/** The request could not be made or answered: `reason` says why, for a person. */
class Unreachable extends Error {
  constructor(
    readonly reason: string,
    /** The token itself could not be put into a header (the endpoint was not reached). */
    readonly badToken = false,
  ) {
    super(reason);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasSchema = (v: unknown, urn: string): v is Json => isObject(v) && Array.isArray(v.schemas) && v.schemas.includes(urn);

function networkReason(e: unknown, url: URL, timeoutMs: number, local: boolean): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer from ${url.origin} within ${timeoutMs / 1000} s`;
  const code = err?.cause?.code ?? (err as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED')
    return `nothing answers at ${url.origin} (connection refused)${local ? ': is the local endpoint running? (npm start)' : ''}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `${url.hostname} does not resolve (DNS): with a custom domain, point it (CNAME or alias) at the stack's CustomDomainTarget output`;
  if (code && /CERT|TLS|SSL|SELF_SIGNED/.test(code)) return `TLS failed (${code}): the certificate does not cover ${url.hostname}?`;
  return `${code ?? err?.name ?? 'Error'}: ${err?.cause?.message ?? err?.message ?? String(e)}`;
}

/** What is wrong with a token that no HTTP client can present as it is stored, if anything. */
export function unsendableToken(token: string): string | undefined {
  const ws = (c: string) => (c === '\n' ? 'a line break' : c === '\r' ? 'a carriage return (a Windows line ending?)' : c === '\t' ? 'a tab' : 'a space');
  if (/^\s/.test(token)) return `the token in the secret starts with ${ws(token[0]!)}`;
  if (/\s$/.test(token)) return `the token in the secret ends with ${ws(token[token.length - 1]!)}`;
  if (/[^\x20-\x7e]/.test(token)) return 'the token in the secret contains characters outside printable ASCII (a pasted non-breaking or zero-width space, or a typographic quote?)';
  return undefined;
}

class Http {
  readonly base: string;
  constructor(
    tenantUrl: string,
    private readonly o: CheckOptions,
  ) {
    this.base = tenantUrl.replace(/\/+$/, '');
  }

  async get(path: string, token: string | undefined): Promise<Answer> {
    const url = new URL(this.base + path);
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const headers: Record<string, string> = { Accept: 'application/scim+json, application/json', 'User-Agent': 'scim-admin-check' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const t0 = performance.now();
    let res: Response;
    try {
      res = await (this.o.fetch ?? fetch)(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      if (token !== undefined && e instanceof TypeError && !(e as { cause?: unknown }).cause && unsendableToken(token))
        throw new Unreachable(`not sent: ${unsendableToken(token)}, which an HTTP header cannot carry`, true);
      throw new Unreachable(networkReason(e, url, timeoutMs, this.o.backend.kind === 'local'));
    }
    let text = '';
    try {
      text = await res.text();
    } catch (e) {
      throw new Unreachable(networkReason(e, url, timeoutMs, this.o.backend.kind === 'local'));
    }
    const ms = Math.round(performance.now() - t0);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status >= 300 && res.status < 400) {
      throw new Unreachable(
        `${res.status} redirect to ${res.headers.get('location') ?? '(no Location)'}: identity providers do not follow redirects with the token; paste the final URL as the Tenant URL`,
      );
    }
    return { status: res.status, headers: res.headers, json, contentType: res.headers.get('content-type') ?? '', ms };
  }
}

/** `404 Not Found: Resource not found` — the status and the SCIM error detail, if any. */
function statusText(a: Answer): string {
  const detail = isObject(a.json) && typeof a.json.detail === 'string' ? `: ${a.json.detail.slice(0, 200)}` : '';
  return `${a.status}${detail}`;
}

function unexpected(a: Answer, what: string): string {
  if (a.status === 401) return `401 where ${what} was expected: the token was refused`;
  if (a.status === 403)
    return `403 where ${what} was expected: refused before the SCIM handlers (an allowedSourceCidrs fence or WAF rule that does not include this machine?)`;
  if (a.status === 429) return `429 (throttled) where ${what} was expected: run the check again in a few seconds`;
  if (a.status === 503 && isObject(a.json) && a.json.detail === PAUSED_DETAIL)
    return `503 where ${what} was expected: the connector is paused (scim-admin pause); serve it again with scim-admin resume <connector>`;
  if (a.status === 503) return `${statusText(a)} where ${what} was expected: the endpoint is unavailable (the authorizer cannot read the token secret, or DynamoDB is throttled); see the alarms`;
  return `${statusText(a)} where ${what} was expected`;
}

// ------------------------------------------------------------------------------------------ steps

interface StepOutcome {
  readonly outcome: Outcome;
  readonly ms: number | null;
  readonly detail: string;
}
const pass = (ms: number | null, detail: string): StepOutcome => ({ outcome: 'pass', ms, detail });
const fail = (ms: number | null, detail: string): StepOutcome => ({ outcome: 'fail', ms, detail });
const skip = (detail: string): StepOutcome => ({ outcome: 'skip', ms: null, detail });

/** Runs a step's requests; an unreachable endpoint fails the step with its reason. */
async function guarded(run: (ms: () => number) => Promise<StepOutcome>): Promise<StepOutcome & { unreachable?: Unreachable }> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    return await run(ms);
  } catch (e) {
    if (e instanceof Unreachable) return { ...fail(ms(), e.reason), unreachable: e };
    throw e;
  }
}

/** Whether a built-in profile offers groups; undefined for a name that is not built in. */
export function builtInOffersGroups(profile: string): boolean | undefined {
  return (PROFILES as Readonly<Record<string, ConnectorProfile | undefined>>)[profile]?.resourceTypes.includes('Group');
}

/** From the profile the connector names, when known; undefined otherwise (then /ResourceTypes decides). */
function groupsExpected(ref: ConnectorRef, o: CheckOptions): { offered: boolean; why: string } | undefined {
  if (!ref.profile) return undefined;
  const offered = (o.profileOffersGroups ?? builtInOffersGroups)(ref.profile);
  return offered === undefined ? undefined : { offered, why: `profile ${ref.profile}` };
}

/** What the HTTP steps share for one connector; step 2 settles `tokenRefused` and `unreachable`. */
interface StepContext {
  readonly ref: ConnectorRef;
  readonly o: CheckOptions;
  readonly http: Http;
  /** The connector's current token (step 1), if it could be read. */
  readonly token: string | undefined;
  readonly secretOf: (name: string) => Promise<SecretOutcome>;
  /** Why the token cannot be used (step 2), when it cannot. */
  tokenRefused?: string;
  /** The endpoint did not answer (step 2). */
  unreachable: boolean;
}

/** What a step needs from the steps before it; the first missing one skips it, with this reason. */
type Need = 'reachable' | 'token' | 'tokenAccepted';
const MISSING: Record<Need, (x: StepContext) => string | undefined> = {
  reachable: (x) => (x.unreachable ? 'not run: the endpoint cannot be reached (step 2)' : undefined),
  token: (x) => (x.token === undefined ? 'not run: no token (step 1 failed)' : undefined),
  tokenAccepted: (x) => (x.tokenRefused ? `not run: ${x.tokenRefused}` : undefined),
};

interface HttpStep {
  readonly id: Exclude<StepId, 'secret'>;
  readonly needs: readonly Need[];
  /** Whether an unreachable endpoint here marks it unreachable for the later steps (step 2). */
  readonly settlesReachability?: boolean;
  run(x: StepContext, ms: () => number): Promise<StepOutcome>;
}

/** 2. ServiceProviderConfig with the token. */
async function serviceProviderConfig(x: StepContext, ms: () => number): Promise<StepOutcome> {
  const { http, o } = x;
  const token = x.token!;
  const c = x.ref.name;
  let a = await http.get('/ServiceProviderConfig', token);
  if (a.status === 401) {
    // A secret written less than a second after the authorizer last read it: re-read pending.
    await sleep(o.retryDelayMs ?? 1100);
    a = await http.get('/ServiceProviderConfig', token);
  }
  if (a.status === 200 && hasSchema(a.json, SCIM.serviceProviderConfig)) return pass(ms(), '200, SCIM ServiceProviderConfig');
  if (a.status === 200)
    return fail(
      ms(),
      `200 but not a SCIM ServiceProviderConfig (Content-Type ${a.contentType || 'none'}): the Tenant URL must be the connector's SCIM base (ending in its basePath, e.g. /scim/v2)`,
    );
  if (a.status === 401) {
    x.tokenRefused = 'the token is not accepted (step 2)';
    const problem = unsendableToken(token);
    const head = '401: the endpoint does not accept the token stored in the secret (refused twice, a second apart, so not a token-cache delay).';
    if (problem)
      return fail(
        ms(),
        `${head} ${problem[0]!.toUpperCase()}${problem.slice(1)}, which an HTTP header cannot carry, so no client (this check, Entra ID, Okta) can ever present it: the secret was written by hand with a stray character. Write a clean token: scim-admin token rotate ${c} --grace 0, then paste it into the identity provider.`,
      );
    return fail(
      ms(),
      `${head} The endpoint at this Tenant URL checks another secret than the one read here: the Tenant URL is served by another deployment (${
        o.backend.kind === 'local' ? 'another npm start, with another data folder, on this port' : 'another stack or region, or a custom domain mapped elsewhere: check --stack/--region'
      }), or the authorizer's secret setting (SCIM_TOKEN_SECRETS) was changed behind the stack's back. Compare the Tenant URL and the secret with what the identity provider has.`,
    );
  }
  if (a.status === 403) x.tokenRefused = 'refused with 403 (step 2)';
  if (a.status === 404)
    return fail(ms(), `${statusText(a)}: nothing at ${http.base}/ServiceProviderConfig: wrong base path (this connector's Tenant URL ends in its basePath) or no such stage`);
  if (a.status === 503)
    return fail(
      ms(),
      `${statusText(a)}: the authorizer cannot read the connector's token secret (AUTHORIZER_FAILURE: KMS key, secret policy, deleted secret or throttling); its ERROR log line names the cause. Retry in a minute; a lasting 503 also raises the authorizer-errors alarm.`,
    );
  return fail(ms(), unexpected(a, '200 with the ServiceProviderConfig'));
}

/** 3. The identity providers' Test Connection probes. */
async function probes(x: StepContext, ms: () => number): Promise<StepOutcome> {
  const { http } = x;
  const token = x.token!;
  const problems: string[] = [];
  const notes: string[] = [];
  const userName = randomUUID();
  const entra = await http.get(`/Users?${new URLSearchParams({ filter: `userName eq "${userName}"` })}`, token);
  if (entra.status !== 200) problems.push(`Entra ID probe (filter userName eq "<random uuid>"): ${unexpected(entra, '200 with totalResults 0')}`);
  else if (!hasSchema(entra.json, SCIM.listResponse)) problems.push('Entra ID probe: 200 but not a SCIM ListResponse');
  else if (entra.json.totalResults !== 0)
    problems.push(`Entra ID probe: totalResults ${JSON.stringify(entra.json.totalResults)} for a userName that cannot exist (expected 0): the filter is not applied`);
  else notes.push('Entra ID: 0 results');
  const okta = await http.get('/Users?startIndex=1&count=1', token);
  if (okta.status !== 200) problems.push(`Okta probe (startIndex=1&count=1): ${unexpected(okta, '200 ListResponse')}`);
  else if (!hasSchema(okta.json, SCIM.listResponse) || typeof okta.json.totalResults !== 'number') problems.push('Okta probe: 200 but not a SCIM ListResponse with totalResults');
  else {
    const resources = Array.isArray(okta.json.Resources) ? okta.json.Resources.length : 0;
    const total = okta.json.totalResults as number;
    if (resources > 1) problems.push(`Okta probe: ${resources} resources for count=1`);
    else if (total > 0 && resources !== 1) problems.push(`Okta probe: totalResults ${total} but no resource on the page`);
    else if (okta.json.startIndex !== undefined && okta.json.startIndex !== 1) problems.push(`Okta probe: startIndex ${JSON.stringify(okta.json.startIndex)} (expected 1)`);
    else notes.push(`Okta: ListResponse, ${total} user${total === 1 ? '' : 's'}`);
  }
  return problems.length > 0 ? fail(ms(), problems.join('; ')) : pass(ms(), notes.join('; '));
}

/** 4. No token → 401; another connector's token → 401. */
async function auth(x: StepContext, ms: () => number): Promise<StepOutcome> {
  const { http, o, token } = x;
  const c = x.ref.name;
  const problems: string[] = [];
  const notes: string[] = [];
  const none = await http.get('/Users', undefined);
  const www = none.headers.get('www-authenticate') ?? '';
  if (none.status !== 401)
    problems.push(
      none.status === 200
        ? 'answered 200 WITHOUT a token: the authorizer is not attached to this route — do not connect an identity provider until this is fixed'
        : `no token: ${unexpected(none, '401 with WWW-Authenticate: Bearer')}`,
    );
  else if (!hasSchema(none.json, SCIM.error)) problems.push('no token: 401 without a SCIM error body (the UNAUTHORIZED gateway response is missing)');
  else if (!/^bearer\b/i.test(www)) problems.push(`no token: 401 without "WWW-Authenticate: Bearer" (got ${www ? `"${www}"` : 'none'})`);
  else notes.push('no token: 401, WWW-Authenticate: Bearer');

  const others = o.all.filter((y) => y.name !== c);
  if (others.length === 0) notes.push('only connector: no isolation to check');
  else {
    let other: { name: string; token: string } | undefined;
    for (const y of others) {
      const s = await x.secretOf(y.name);
      if (s.ok) {
        other = { name: y.name, token: s.tokens.current };
        break;
      }
    }
    if (!other) problems.push(`isolation not checked: no other connector's token could be read (${others.map((y) => y.name).join(', ')}: see their step 1)`);
    else {
      const a = await http.get('/Users', other.token);
      if (a.status === 401) notes.push(`${other.name}'s token: 401`);
      else if (a.status === 200)
        problems.push(
          token !== undefined && other.token === token
            ? `${other.name}'s token opens ${c}: both secrets hold the same token. Give ${c} its own: scim-admin token rotate ${c}`
            : `${other.name}'s token opens ${c}: connectors are not isolated (the authorizer must check each stage against its own connector's secret)`,
        );
      else if (a.status === 503) problems.push(`${other.name}'s token: 503 instead of 401: the authorizer cannot read ${c}'s token secret${token === undefined ? ' (step 1)' : ''}`);
      else problems.push(`${other.name}'s token: ${statusText(a)} (expected 401)`);
    }
  }
  return problems.length > 0 ? fail(ms(), problems.join('; ')) : pass(ms(), notes.join('; '));
}

/** 5. /Groups as the profile says. */
async function groups(x: StepContext, ms: () => number): Promise<StepOutcome> {
  const { http } = x;
  const token = x.token!;
  let expected = groupsExpected(x.ref, x.o);
  if (!expected) {
    // Profile unknown here (not in cdk.json): what the endpoint itself publishes.
    const rt = await http.get('/ResourceTypes', token);
    if (rt.status !== 200 || !hasSchema(rt.json, SCIM.listResponse))
      return fail(ms(), `the profile is unknown here and /ResourceTypes did not answer a ListResponse: ${statusText(rt)}`);
    const types = Array.isArray(rt.json.Resources) ? (rt.json.Resources as Json[]) : [];
    expected = { offered: types.some((t) => t.name === 'Group' || t.endpoint === '/Groups'), why: '/ResourceTypes' };
  }
  const a = await http.get('/Groups?startIndex=1&count=1', token);
  if (expected.offered) {
    if (a.status === 200 && hasSchema(a.json, SCIM.listResponse)) return pass(ms(), `200 ListResponse (groups offered: ${expected.why})`);
    if (a.status === 404)
      return fail(ms(), `404: /Groups is not served, but ${expected.why} offers groups: the deployed configuration differs (redeploy with this profile, or remove the group mapping in the identity provider)`);
    return fail(ms(), unexpected(a, `200 ListResponse (${expected.why} offers groups)`));
  }
  if (a.status === 404 && hasSchema(a.json, SCIM.error)) return pass(ms(), `404 (users only: ${expected.why})`);
  if (a.status === 200) return fail(ms(), `200: /Groups is served, but ${expected.why} is users only: the deployed configuration differs from it (redeploy?)`);
  return fail(ms(), unexpected(a, `404 SCIM error (${expected.why} is users only)`));
}

/** Steps 2-5, in order, with what each needs from the ones before. */
const HTTP_STEPS: readonly HttpStep[] = [
  { id: 'serviceProviderConfig', needs: ['token'], settlesReachability: true, run: serviceProviderConfig },
  { id: 'probes', needs: ['reachable', 'token', 'tokenAccepted'], run: probes },
  { id: 'auth', needs: ['reachable'], run: auth },
  { id: 'groups', needs: ['reachable', 'token', 'tokenAccepted'], run: groups },
];

async function checkOne(ref: ConnectorRef, o: CheckOptions, secretOf: (name: string) => Promise<SecretOutcome>): Promise<ConnectorCheck> {
  const results: StepResult[] = [];
  const record = (id: StepId, r: StepOutcome) => {
    const s = CHECK_STEPS.find((x) => x.id === id)!;
    results.push({ step: s.step, id, title: s.title, outcome: r.outcome, ms: r.ms, detail: r.detail });
  };
  const c = ref.name;

  // 1. the secret
  const secret = await secretOf(c);
  record('secret', secret.ok ? pass(secret.ms, secret.detail) : fail(secret.ms, secret.reason));

  if (!ref.tenantUrl) {
    const why = `no Tenant URL for ${c} in ${o.backend.description}${o.backend.kind === 'local' ? ' (connectors.json: start the endpoint with npm start)' : ' (no TenantUrl output)'}`;
    const [first, ...rest] = HTTP_STEPS;
    record(first!.id, fail(null, why));
    for (const step of rest) record(step.id, skip('not run: no Tenant URL'));
    return finish(ref, results);
  }

  const x: StepContext = { ref, o, http: new Http(ref.tenantUrl, o), token: secret.ok ? secret.tokens.current : undefined, secretOf, unreachable: false };
  for (const step of HTTP_STEPS) {
    const missing = step.needs.map((n) => MISSING[n](x)).find((why) => why !== undefined);
    if (missing !== undefined) {
      record(step.id, skip(missing));
      continue;
    }
    const r = await guarded((ms) => step.run(x, ms));
    if (r.unreachable && step.settlesReachability) {
      if (r.unreachable.badToken) x.tokenRefused = 'the token cannot be sent (step 2)';
      else x.unreachable = true;
    }
    record(step.id, r);
  }
  return finish(ref, results);
}

function finish(ref: ConnectorRef, steps: StepResult[]): ConnectorCheck {
  return {
    connector: ref.name,
    tenantUrl: ref.tenantUrl ?? null,
    profile: ref.profile ?? null,
    passed: steps.every((s) => s.outcome === 'pass'),
    steps,
  };
}

/** Checks `targets` one after another (steps in order); reads each secret at most once. */
export async function checkConnectors(targets: readonly ConnectorRef[], o: CheckOptions): Promise<CheckReport> {
  const secrets = new Map<string, Promise<SecretOutcome>>();
  const secretOf = (name: string) => {
    let p = secrets.get(name);
    if (!p) secrets.set(name, (p = readSecret(o, name)));
    return p;
  };
  const checkedAt = o.now().toISOString();
  const connectors: ConnectorCheck[] = [];
  for (const [i, ref] of targets.entries()) {
    o.onConnector?.(ref.name, i, targets.length);
    connectors.push(await checkOne(ref, o, secretOf));
  }
  return { target: o.backend.description, checkedAt, passed: connectors.length > 0 && connectors.every((x) => x.passed), connectors };
}

// ------------------------------------------------------------------------------------------ output

const MARK: Record<Outcome, string> = { pass: '✓', fail: '✗', skip: '–' };

/** One table (connector × step), then every failure's reason, then the verdict. */
export function renderCheck(report: CheckReport): string {
  const reasons: string[] = [];
  const rows = report.connectors.map((c) => [
    c.connector,
    ...CHECK_STEPS.map((s) => {
      const r = c.steps.find((x) => x.id === s.id);
      if (!r) return '';
      if (r.outcome === 'skip') return MARK.skip;
      const ms = r.ms !== null ? ` ${r.ms} ms` : '';
      if (r.outcome === 'pass') return `${MARK.pass}${ms}`;
      reasons.push(`[${reasons.length + 1}] ${c.connector}, step ${r.step} (${r.title}): ${r.detail}`);
      return `${MARK.fail} [${reasons.length}]`;
    }),
  ]);
  const ready = report.connectors.filter((c) => c.passed).map((c) => c.connector);
  const notReady = report.connectors.filter((c) => !c.passed).map((c) => c.connector);
  const verdict =
    notReady.length === 0
      ? `All ${ready.length} connector${ready.length === 1 ? '' : 's'} ready to paste into Entra ID / Okta (${report.target}).`
      : `${ready.length} of ${report.connectors.length} connectors ready (${report.target}); not ready: ${notReady.join(', ')}. Skipped steps (–) wait for the failures above them.`;
  return [renderTable(['CONNECTOR', ...CHECK_STEPS.map((s) => s.column)], rows).trimEnd(), ...(reasons.length > 0 ? ['', ...reasons] : []), '', verdict].join('\n') + '\n';
}
