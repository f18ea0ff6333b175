/**
 * The one-time setup page in a real browser (Debian's headless Chromium driven by playwright-core,
 * no browser download) against the local endpoint, links made by `scim-admin --local setup-link`:
 * open → reveal → the token works against the Tenant URL → reload says "already revealed"; an
 * expired and a revoked link; the status moving from waiting to connected to provisioning when
 * SCIM requests arrive; phone width and keyboard only. Plus the page's API over plain HTTP: the
 * security headers, no token but in the one reveal, one 404 for unknown links and wrong secrets.
 *
 * Screenshots of each state: test/artifacts/setup-page/*.png (ignored by git; docs/setup-page.png
 * is the README's copy of readme.png, the connected state with the token masked).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { SETUP_PAGE_HTML } from '../../lambdas/setup/page.js';
import { SetupLinks } from '../../lambdas/store/setup-links.js';
import { assertLoopback } from '../support/ddb.js';
import { runCli } from '../support/cli.js';
import { documentClient } from '../../lambdas/http/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '..', 'artifacts', 'setup-page');
const CONNECTOR = 'askspoke';

let dir: string;
let endpoint: LocalEndpoint;
let browser: Browser;
let links: SetupLinks;
let doc: ReturnType<typeof documentClient>;

async function newLink(args: string[] = []): Promise<string> {
  const r = await runCli(['setup-link', CONNECTOR, ...args, '--local', '--dir', dir]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function open(url: string, viewport = { width: 1000, height: 1300 }): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}${r.postData() ? ` body=${r.postData()!.length}B` : ''}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  return { page, requests, problems };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const token = () => (JSON.parse(readFileSync(join(dir, 'tokens', `${CONNECTOR}.json`), 'utf8')) as { current: string }).current;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'scim-setup-'));
  const tableName = `setup-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  endpoint = await startLocalEndpoint({
    connectors: parseConnectors([{ name: CONNECTOR, profile: 'askspoke' }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName,
    logLevel: 'SILENT',
  });
  doc = documentClient(endpoint.dynamodbEndpoint);
  links = new SetupLinks(doc, tableName);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  doc?.destroy();
  await endpoint?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the setup page in Chromium', () => {
  it('reveals the token once, the token works, the status follows the identity provider, a reload says "already revealed"', async () => {
    const url = await newLink();
    expect(url).toMatch(new RegExp(`^${endpoint.url}/${CONNECTOR}/setup/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
    const secret = url.split('#')[1]!;
    const { page, requests, problems } = await open(url);

    await expect.poll(() => page.textContent('#msg')).toContain('shows the Secret Token once');
    expect(await page.inputValue('#url')).toBe(endpoint.connectors[CONNECTOR]!.tenantUrl);
    expect(await page.textContent('#phase')).toContain('Waiting');
    // The attribute table is the askspoke profile's: required emails, the SpokeCustom extension, ignored updates.
    const table = await page.textContent('#attrs');
    expect(table).toContain('urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User:startDate');
    expect(table).toMatch(/emailsrequired/);
    expect(table).toMatch(/userNameignored once set/);
    expect(await page.inputValue('#tok')).toBe('');
    await shot(page, '1-open');

    // Keyboard only: Tab to "Reveal", Enter.
    for (let i = 0; i < 10 && (await page.evaluate('document.activeElement?.id')) !== 'reveal'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.inputValue('#tok')).toBe(token());
    expect(await page.textContent('#msg')).toContain('Copy the Secret Token now');
    await shot(page, '2-revealed');

    // The revealed token works against the Tenant URL (Entra's Test Connection: a GET /Users query) …
    const tenantUrl = await page.inputValue('#url');
    const revealed = await page.inputValue('#tok');
    const test = await fetch(`${tenantUrl}/Users?filter=${encodeURIComponent('userName eq "probe@example.com"')}`, { headers: { Authorization: `Bearer ${revealed}` } });
    expect(test.status).toBe(200);
    // … and the page, still open, sees it.
    await expect.poll(() => page.getAttribute('#phase', 'data-phase'), { timeout: 15_000 }).toBe('connected');
    await shot(page, '3-connected');
    // The README's picture (docs/setup-page.png, reduced to 64 colours): the token masked.
    await page.screenshot({ path: join(SHOTS, 'readme.png'), mask: [page.locator('#tok')], maskColor: '#c9ced6', clip: { x: 0, y: 0, width: 1000, height: 760 } });

    const create = await fetch(`${tenantUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${revealed}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com', emails: [{ value: 'ada@example.com', primary: true }] }),
    });
    expect(create.status).toBe(201);
    const bad = await fetch(`${tenantUrl}/Users`, { method: 'POST', headers: { Authorization: `Bearer ${revealed}`, 'Content-Type': 'application/scim+json' }, body: '{"userName": 1' });
    expect(bad.status).toBe(400);
    await expect.poll(() => page.getAttribute('#phase', 'data-phase'), { timeout: 15_000 }).toBe('provisioning');
    await expect.poll(() => page.textContent('#fails'), { timeout: 15_000 }).toContain('400 invalidSyntax');
    await shot(page, '4-provisioning');

    // The flow's requests, for the record (test artifact).
    writeFileSync(join(SHOTS, 'reveal-flow-requests.txt'), requests.map((r) => r.replace(secret, '<secret>')).join('\n') + '\n');
    // No request carried the secret in its URL; the token was fetched by one POST.
    expect(requests.filter((r) => r.includes(secret))).toEqual([]);
    expect(requests[0]).toBe(`GET ${url.split('#')[0]}`);
    expect(requests.every((r) => r.startsWith(`GET ${url.split('#')[0]}`) || r.startsWith(`POST ${url.split('#')[0]} body=`))).toBe(true);
    expect(problems).toEqual([]);

    await page.reload();
    await expect.poll(() => page.textContent('#msg')).toContain('was revealed');
    expect(await page.textContent('#msg')).toContain('ask your platform team for a new link');
    expect(await page.inputValue('#tok')).toBe('');
    expect(await page.isHidden('#reveal')).toBe(true);
    await shot(page, '5-already-revealed');
    await page.close();
  });

  it('says when a link has expired, and shows nothing else', async () => {
    const past = new SetupLinks(doc, endpoint.tableName, () => new Date(Date.now() - 73 * 3600_000));
    const link = await past.create(CONNECTOR, 72 * 3600);
    const { page } = await open(`${endpoint.url}/${CONNECTOR}/setup/${link.linkId}#${link.secret}`);
    await expect.poll(() => page.textContent('#msg')).toContain('This link expired');
    expect(await page.isHidden('#creds')).toBe(true);
    expect(await page.isHidden('#steps')).toBe(true);
    await shot(page, '6-expired');
    await page.close();
  });

  it('says when a link was revoked (scim-admin setup-link --revoke), and the open-link count drops', async () => {
    const url = await newLink(['--expires', '1h']);
    const before = await runCli(['connectors', '--format', 'json', '--local', '--dir', dir]);
    const open1 = (JSON.parse(before.stdout) as { openSetupLinks: unknown[] }[])[0]!.openSetupLinks.length;
    expect(open1).toBeGreaterThan(0);
    const r = await runCli(['setup-link', CONNECTOR, '--revoke', '--local', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/revoked \d+ setup links? of askspoke/);
    const after = await runCli(['connectors', '--format', 'json', '--local', '--dir', dir]);
    expect((JSON.parse(after.stdout) as { openSetupLinks: unknown[] }[])[0]!.openSetupLinks).toEqual([]);

    const { page } = await open(url);
    await expect.poll(() => page.textContent('#msg')).toContain('This link was revoked');
    expect(await page.isHidden('#creds')).toBe(true);
    await shot(page, '7-revoked');
    await page.close();
  });

  it('fits a phone-width screen, and a mistyped link says so', async () => {
    const url = await newLink();
    const { page } = await open(url, { width: 360, height: 740 });
    await expect.poll(() => page.textContent('#msg')).toContain('shows the Secret Token once');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await shot(page, '8-phone');
    await page.goto(url.slice(0, -1) + (url.endsWith('A') ? 'B' : 'A'));
    await page.reload();
    await expect.poll(() => page.textContent('#msg')).toContain('This link is not valid');
    await page.close();
  });
});

describe('the setup API over HTTP', () => {
  const post = (url: string, body: unknown) => fetch(url.split('#')[0]!, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('serves one static page with a strict policy, no referrer, no caching', async () => {
    const url = await newLink();
    const res = await fetch(url.split('#')[0]!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[^']+'(;|$)/);
    expect(csp).not.toContain('unsafe');
    const html = await res.text();
    expect(html).toBe(SETUP_PAGE_HTML);
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
  });

  it('answers unknown links and wrong secrets alike, and hands the token out once', async () => {
    const url = await newLink();
    const [base, secret] = url.split('#') as [string, string];
    const wrong = await post(url, { action: 'reveal', secret: secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A') });
    const unknown = await post(`${endpoint.url}/${CONNECTOR}/setup/${randomBytes(16).toString('base64url')}`, { action: 'reveal', secret });
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await wrong.text()).toBe(await unknown.text());
    expect((await post(base, { action: 'nope', secret })).status).toBe(400);
    expect((await fetch(base, { method: 'DELETE' })).status).toBe(405);

    const view = await (await post(base, { action: 'view', secret })).text();
    expect(view).not.toContain(token());
    const [a, b] = await Promise.all([post(base, { action: 'reveal', secret }), post(base, { action: 'reveal', secret })]);
    const bodies = [(await a.json()) as { token?: string; state: string }, (await b.json()) as { token?: string; state: string }];
    expect(bodies.filter((x) => x.token === token())).toHaveLength(1);
    expect(bodies.map((x) => x.state)).toEqual(['revealed', 'revealed']);
    const again = (await (await post(base, { action: 'reveal', secret })).json()) as { token?: string; revealedAt: string };
    expect(again.token).toBeUndefined();
    expect(again.revealedAt).toMatch(/^\d{4}-/);
  });

  it('keeps only the secret\'s hash', async () => {
    const url = await newLink();
    const secret = url.split('#')[1]!;
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = (await doc.send(new ScanCommand({ TableName: endpoint.tableName }))).Items ?? [];
    const stored = items.filter((i) => String(i.PK).endsWith('#SETUP'));
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain(secret);
    for (const i of stored) expect(i.ttl).toBeGreaterThan(Date.parse(String(i.expiresAt)) / 1000);
  });
});
