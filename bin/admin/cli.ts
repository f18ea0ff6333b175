/**
 * `scim-admin`: operate connectors without consoles — list them, check a deployment is ready for the
 * identity providers (./check.ts), show/rotate/revoke tokens, list/export users and groups, stats —
 * against a deployed stack or the local endpoint (`--local`).
 *
 * Argument parsing is `node:util` `parseArgs`: a handful of commands with a few flags each do not
 * justify a CLI framework dependency (and its supply chain) in a tool that handles tokens; the
 * per-command help and option checks below are all the structure needed.
 *
 * Exit codes (stable, for scripts): see EXIT in ./backend.ts and the README — 0 ok, 1 unexpected
 * error or a failed `check`, 2 usage, 3 not found (connector, stack, local data), 4 AWS
 * credentials/permissions, 5 refused (`token show` on a deployment without `--reveal`).
 *
 * Output: results on stdout (tokens alone on a line, so `$(scim-admin token rotate …)` works),
 * everything for humans — notes, progress, errors — on stderr.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { isScimError } from '../../lambdas/scim/errors.js';
import type { Filter } from '../../lambdas/scim/filter/ast.js';
import { parseFilter } from '../../lambdas/scim/filter/parse.js';
import { tokenAge, type TokenAge } from '../../lambdas/auth/token-age.js';
import { parseTokenSet } from '../../lambdas/auth/tokens.js';
import { AdminError, cdkProfiles, DeployedBackend, EXIT, LocalBackend, type AdminBackend, type ConnectorRef } from './backend.js';
import { checkConnectors, renderCheck } from './check.js';
import { pages, renderTable, writeList, type Format } from './export.js';
import { DEFAULT_GRACE, parseDuration, previousAlive, revokePrevious, rotate } from './tokens.js';
import { CursorError, decodeResyncCursor, DEFAULT_RATE_PER_SECOND, encodeResyncCursor, parseRate, parseResyncKinds, RESYNC_KINDS, resync, ResyncError, type ResyncProgress } from './resync.js';
import { rotateSigningSecret } from './webhooks.js';
import { rotateSecret } from '../../lambdas/runtime/rotating-secret.js';
import { CURSOR_KEY_TTL_MS } from '../../lambdas/store/cursor-key.js';
import { newCursorKey } from '../local/cursor-key-file.js';
import { restoreCmd, snapshotCmd } from './restore-commands.js';
import { pauseCmd, resumeCmd } from './pause-commands.js';
import { readConnectorState } from '../../lambdas/store/connector-state.js';
import { signingSecrets } from '../../lambdas/webhooks/secret.js';
import { SetupLinks } from '../../lambdas/store/setup-links.js';
import { DEFAULT_LINK_EXPIRY, parseLinkExpiry, setupLinkUrl } from './setup-link.js';
import { interruption, note, OPTIONS, out, progressLine, resolveConnector, type CliIO, type Command, type Ctx, type OptionName } from './command.js';

export type { CliIO, Command, Ctx, OptionName } from './command.js';

export interface CliDeps {
  readonly now?: () => Date;
  /** Tests: a backend instead of the one the global options select. */
  readonly backend?: (g: GlobalOptions) => AdminBackend;
  /** Interrupts a long command (`events resync`) like Ctrl-C does; default: SIGINT. */
  readonly signal?: AbortSignal;
}

export interface GlobalOptions {
  readonly local: boolean;
  readonly dir: string;
  readonly stack: string;
  readonly region?: string;
  readonly profile?: string;
}

const GLOBAL: readonly OptionName[] = ['help', 'local', 'dir', 'stack', 'region', 'profile'];

const GLOBAL_HELP = `Target (every command):
  --local               the local endpoint (npm start): $SCIM_LOCAL_DIR or .scim-local
  --dir <path>          local data folder (with --local)
  --stack <name>        deployed stack (default: cdk.json scim:stackName, else Scim)
  --region <region>     AWS region (default: the SDK's: AWS_REGION, profile)
  --profile <name>      AWS named profile
  -h, --help            help (also after any command)`;

const str = (ctx: Ctx, name: OptionName): string | undefined => {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
};

function format(ctx: Ctx, allowed: readonly Format[], fallback: Format): Format {
  const f = str(ctx, 'format') ?? fallback;
  if (!(allowed as readonly string[]).includes(f)) throw new AdminError(`--format must be one of ${allowed.join(', ')} (got ${f})`, EXIT.usage);
  return f as Format;
}

function relative(ms: number): string {
  const abs = Math.abs(ms);
  const s = abs >= 86_400_000 ? `${(abs / 86_400_000).toFixed(1)} d` : abs >= 3_600_000 ? `${(abs / 3_600_000).toFixed(1)} h` : `${Math.round(abs / 60_000)} min`;
  return ms >= 0 ? `in ${s}` : `${s} ago`;
}

/** `--grace` of the rotate commands (tokens, webhook secrets and the cursor key alike). */
function graceOption(ctx: Ctx): { grace: number; graceText: string } {
  const graceText = str(ctx, 'grace') ?? DEFAULT_GRACE;
  const grace = parseDuration(graceText);
  if (grace === undefined) throw new AdminError(`--grace must look like 90s, 30m, 24h, 7d or 0 (got ${graceText})`, EXIT.usage);
  return { grace, graceText };
}

function parseFilterOption(ctx: Ctx): Filter | undefined {
  const text = str(ctx, 'filter');
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseFilter(text);
  } catch (e) {
    throw new AdminError(`invalid --filter: ${isScimError(e) ? e.detail : (e as Error).message}`, EXIT.usage);
  }
}

// ------------------------------------------------------------------------------------------ commands

const connectorsCmd: Command = {
  path: 'connectors',
  args: [],
  options: ['format'],
  summary: 'connectors with profile, Tenant URL, user/group counts, last successful request, open setup links, token age; (paused) after a paused one',
  help: `Usage: scim-admin connectors [--format table|json]
PROFILE: the profile cdk.json names for the connector and where it is declared: built-in (shipped
in lambdas/connectors/profiles) or configured (cdk.json scim:profiles); JSON: profile, profileSource.
SETUP LINKS: open setup links (setup-link) and when the last one expires; JSON: openSetupLinks.
A paused connector (pause) shows "(paused)" after its name; JSON: paused.
TOKEN AGE: days since the token was set (rotatedAt in the secret, written by token rotate; else when
the secret's value was last written); "-" when the secret cannot be read.`,
  run: async (ctx) => {
    const f = format(ctx, ['table', 'json'], 'table');
    const list = await ctx.backend.connectors();
    let store: Awaited<ReturnType<AdminBackend['store']>> | undefined;
    try {
      store = await ctx.backend.store();
    } catch (e) {
      if (!(e instanceof AdminError)) throw e;
      note(ctx, `(${e.message}: no counts)`);
    }
    const rows = [];
    for (const c of list) {
      const counts = store ? await store.repo.counts(c.name) : undefined;
      // Like the token age: a state that cannot be read is "-", never a failed listing.
      const paused = store ? await readConnectorState(store.ctx, c.name, { consistent: true }).then((s) => s.paused, () => undefined) : undefined;
      const last = await ctx.backend.lastSuccess(c.name);
      const age = await tokenAgeOf(ctx, c.name);
      const links = store ? await new SetupLinks(store.ctx.doc, store.ctx.table, ctx.now).open(c.name) : undefined;
      rows.push({
        name: c.name,
        profile: c.profile ?? null,
        profileSource: c.profileSource ?? null,
        tenantUrl: c.tenantUrl ?? null,
        users: counts?.users ?? null,
        groups: counts?.groups ?? null,
        lastSuccessfulRequest: last instanceof Date ? last.toISOString() : last === 'unknown' ? 'unknown' : null,
        tokenAgeDays: age ? Math.floor(age.days) : null,
        tokenSince: age ? age.since.toISOString() : null,
        openSetupLinks: links ? links.map((l) => ({ createdAt: l.createdAt, expiresAt: l.expiresAt })) : null,
        paused: paused ?? null,
      });
    }
    if (f === 'json') out(ctx, JSON.stringify(rows, null, 2));
    else if (rows.length === 0) note(ctx, `no connectors in ${ctx.backend.description}`);
    else
      out(
        ctx,
        renderTable(
          ['NAME', 'PROFILE', 'TENANT URL', 'USERS', 'GROUPS', 'LAST SUCCESS', 'SETUP LINKS', 'TOKEN AGE'],
          rows.map((r) => [
            r.paused ? `${r.name} (paused)` : r.name,
            // Where the profile is declared: lambdas/connectors/profiles (built-in) or cdk.json scim:profiles.
            r.profile ? `${r.profile} (${r.profileSource ?? 'built-in'})` : '-',
            r.tenantUrl ?? '-',
            String(r.users ?? '-'),
            String(r.groups ?? '-'),
            r.lastSuccessfulRequest ?? 'never',
            // Open setup links (scim-admin setup-link): how many, and when the last one expires.
            r.openSetupLinks === null ? '-' : r.openSetupLinks.length === 0 ? '0' : `${r.openSetupLinks.length} (until ${r.openSetupLinks.at(-1)!.expiresAt.slice(0, 16)}Z)`,
            r.tokenAgeDays === null ? '-' : `${r.tokenAgeDays} d`,
          ]),
        ),
      );
    return EXIT.ok;
  },
};

/** Age of the connector's current token; undefined when the secret cannot be read (never fails the command). */
async function tokenAgeOf(ctx: Ctx, connector: string): Promise<TokenAge | undefined> {
  try {
    const secret = await ctx.backend.readTokenSecret(connector);
    return tokenAge(parseTokenSet(secret.text), secret.writtenAt, ctx.now());
  } catch {
    return undefined;
  }
}

const checkCmd: Command = {
  path: 'check',
  args: [],
  rest: 'connector',
  options: ['format'],
  summary: 'is it ready for Entra ID / Okta? token secret, SCIM answers, IdP probes, 401s, /Groups (read-only)',
  help: `Usage: scim-admin check [connector…] [--format table|json]
Checks every connector (or the ones named) against the deployed endpoint, read-only, in order:
  1 SECRET   the token secret is readable and has the expected JSON shape
  2 CONFIG   GET /ServiceProviderConfig with the token → 200 and a SCIM document
  3 PROBES   Entra ID's Test Connection (GET /Users?filter=userName eq "<random uuid>" → totalResults 0)
             and Okta's (GET /Users?startIndex=1&count=1 → ListResponse)
  4 AUTH     no token → 401 with WWW-Authenticate: Bearer; another connector's token → 401
  5 GROUPS   /Groups answers as the profile says (404 for users-only profiles)
Table: ✓ with the step's latency, ✗ with a numbered reason below, – not run (an earlier step failed).
Exit code: 0 when every step of every checked connector passed, 1 otherwise (2, 3, 4 as for every command).`,
  run: async (ctx, names) => {
    const f = format(ctx, ['table', 'json'], 'table');
    const all = await ctx.backend.connectors();
    const targets: ConnectorRef[] = [];
    for (const name of new Set(names)) targets.push(await resolveConnector(ctx, name));
    if (names.length === 0) targets.push(...all);
    if (targets.length === 0) throw new AdminError(`no connectors in ${ctx.backend.description}`, EXIT.notFound);
    if (ctx.backend instanceof LocalBackend && !(await ctx.backend.runningEndpoint()))
      throw new AdminError(`no local endpoint is running on ${ctx.backend.description}: start it (npm start), then check again`, EXIT.notFound);
    const registry = cdkProfiles(ctx.backend.cdkJson).registry;
    const report = await checkConnectors(targets, {
      backend: ctx.backend,
      all,
      now: ctx.now,
      profileOffersGroups: (profile) => {
        try {
          return registry.get(profile).offers('Group');
        } catch {
          return undefined; // not in this cdk.json: /ResourceTypes decides
        }
      },
      ...(ctx.io.interactive ? { onConnector: (name: string, i: number, n: number) => void ctx.io.stderr.write(`\rchecking ${name} (${i + 1}/${n})…\x1b[K`) } : {}),
    });
    if (ctx.io.interactive) ctx.io.stderr.write('\r\x1b[K');
    out(ctx, f === 'json' ? JSON.stringify(report, null, 2) : renderCheck(report));
    return report.passed ? EXIT.ok : EXIT.error;
  },
};

const tokenShow: Command = {
  path: 'token show',
  args: ['connector'],
  options: ['reveal', 'format'],
  summary: 'print the connector token (local; deployed only with --reveal)',
  help: `Usage: scim-admin token show <connector> [--reveal] [--format text|json]
Prints the current token on the first line of stdout, and the previous one with its expiry while it
is still accepted. Against a deployed stack the token is a live credential: --reveal is required.`,
  run: async (ctx, [name]) => {
    await resolveConnector(ctx, name!);
    if (ctx.backend.kind === 'deployed' && !ctx.values.reveal)
      throw new AdminError(`token show prints a live credential of ${ctx.backend.description}: add --reveal to confirm`, EXIT.refused);
    const f = format(ctx, ['table', 'json'] as Format[], 'table');
    const set = await ctx.backend.readTokens(name!);
    if (f === 'json') {
      out(ctx, JSON.stringify(set, null, 2));
      return EXIT.ok;
    }
    out(ctx, set.current);
    if (set.previous && set.previousExpiresAt) {
      const alive = previousAlive(set, ctx.now());
      note(ctx, `previous token ${alive ? 'still accepted' : 'expired'} (${set.previousExpiresAt}, ${relative(Date.parse(set.previousExpiresAt) - ctx.now().getTime())})`);
      if (alive) out(ctx, set.previous);
    }
    return EXIT.ok;
  },
};

const tokenRotate: Command = {
  path: 'token rotate',
  args: ['connector'],
  options: ['grace'],
  summary: 'new token (printed once); the previous stays valid for a grace period',
  help: `Usage: scim-admin token rotate <connector> [--grace 24h]
Generates a new token and prints it once on stdout. The previous token stays accepted for the grace
period (default ${DEFAULT_GRACE}; 90s, 30m, 12h, 7d; 0 = invalid at once) so the identity provider can be
updated without a gap. The new token is accepted everywhere within a minute (token cache).`,
  run: async (ctx, [name]) => {
    const { grace, graceText } = graceOption(ctx);
    await resolveConnector(ctx, name!);
    const now = ctx.now();
    const next = rotate(await ctx.backend.readTokens(name!), grace, now);
    await ctx.backend.writeTokens(name!, next);
    out(ctx, next.current);
    note(
      ctx,
      `Rotated the token of ${name} (${ctx.backend.description}). Paste the new token into the identity provider.\n` +
        (next.previousExpiresAt
          ? `The previous token stays valid until ${next.previousExpiresAt} (${graceText}); end it earlier with: scim-admin token revoke-previous ${name}`
          : 'The previous token is no longer accepted (grace 0).'),
    );
    return EXIT.ok;
  },
};

const tokenRevoke: Command = {
  path: 'token revoke-previous',
  args: ['connector'],
  options: [],
  summary: 'stop accepting the previous token now',
  help: `Usage: scim-admin token revoke-previous <connector>
Ends the grace period of the previous token. API Gateway may still accept it for up to the
authorizer cache TTL (default 300 s) where it was recently used.`,
  run: async (ctx, [name]) => {
    await resolveConnector(ctx, name!);
    const set = await ctx.backend.readTokens(name!);
    if (!set.previous) {
      note(ctx, `${name} has no previous token: nothing to revoke`);
      return EXIT.ok;
    }
    await ctx.backend.writeTokens(name!, revokePrevious(set));
    note(ctx, `The previous token of ${name} is revoked.`);
    return EXIT.ok;
  },
};

function listCommand(kind: 'User' | 'Group', verb: 'list' | 'export'): Command {
  const noun = kind === 'User' ? 'users' : 'groups';
  const exporting = verb === 'export';
  const formats: Format[] = exporting ? ['csv', 'json', 'jsonl'] : ['table', 'csv', 'json', 'jsonl'];
  return {
    path: `${noun} ${verb}`,
    args: ['connector'],
    options: kind === 'User' ? (exporting ? ['format', 'filter', 'output', 'quiet'] : ['format', 'filter']) : ['format'],
    summary: exporting ? 'stream every user to CSV/JSON (constant memory), with progress' : `list ${noun}`,
    help: `Usage: scim-admin ${noun} ${verb} <connector> [--format ${formats.join('|')}]${kind === 'User' ? " [--filter '<SCIM filter>']" : ''}${exporting ? ' [--output <file>] [--quiet]' : ''}
Reads one page at a time (creation order), so any number of ${noun} fits in constant memory.${
      kind === 'User' ? `\n--filter is a SCIM filter (RFC 7644 §3.4.2.2) evaluated on each user, e.g. 'active eq false' or\n'emails[type eq "work" and value ew "@example.com"]'.` : ''
    }${exporting ? '\nCSV: RFC 4180 (quoted fields, CRLF). --output writes a file (mode 0600: it holds personal data).\nProgress goes to stderr.' : ''}`,
    run: async (ctx, [name]) => {
      const f = format(ctx, formats, exporting ? 'csv' : 'table');
      const filter = parseFilterOption(ctx);
      const c = await resolveConnector(ctx, name!);
      const store = await ctx.backend.store();
      const schemas = cdkProfiles(ctx.backend.cdkJson).registry.get(c.profile ?? 'generic').schemas;
      const file = str(ctx, 'output');
      const target = file ? createWriteStream(resolve(file), { mode: 0o600 }) : ctx.io.stdout;
      let total = 0;
      const showProgress = exporting && !ctx.values.quiet;
      if (showProgress) total = kind === 'User' ? (await store.repo.counts(c.name)).users : (await store.repo.counts(c.name)).groups;
      let lastLine = 0;
      const written = await writeList({
        store,
        connector: c.name,
        kind,
        format: f,
        out: target,
        schema: kind === 'User' ? schemas.user : schemas.group,
        ...(filter ? { filter } : {}),
        ...(showProgress
          ? {
              onProgress: (n, scanned) => {
                const pct = total > 0 ? ` (${Math.min(100, Math.floor((100 * scanned) / total))}%)` : '';
                const line = filter ? `scanned ${scanned} of ${total} ${noun}${pct}, exported ${n}` : `exported ${n} of ${total} ${noun}${pct}`;
                if (ctx.io.interactive) ctx.io.stderr.write(`\r${line}`);
                else if (Date.now() - lastLine > 2000) {
                  lastLine = Date.now();
                  note(ctx, line);
                }
              },
            }
          : {}),
      });
      if (file) {
        await new Promise<void>((res, rej) => (target as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? rej(e) : res())));
      }
      if (showProgress) note(ctx, `${ctx.io.interactive ? '\r' : ''}exported ${written} ${noun}${file ? ` to ${file}` : ''}`);
      return EXIT.ok;
    },
  };
}

const statsCmd: Command = {
  path: 'stats',
  args: ['connector'],
  options: ['format'],
  summary: 'users (active/inactive), groups, memberships, pending clean-ups, last change/request',
  help: `Usage: scim-admin stats <connector> [--format table|json]
Counts come from one pass over the connector's users and groups (one page at a time).`,
  run: async (ctx, [name]) => {
    const f = format(ctx, ['table', 'json'], 'table');
    const c = await resolveConnector(ctx, name!);
    const store = await ctx.backend.store();
    let active = 0;
    let inactive = 0;
    let lastChange = '';
    for await (const page of pages(store, c.name, 'User')) {
      for (const u of page) {
        if (u.attributes.active === false) inactive++;
        else active++;
        if (u.lastModified > lastChange) lastChange = u.lastModified;
      }
    }
    let groups = 0;
    let memberships = 0;
    let largest = 0;
    for await (const page of pages(store, c.name, 'Group')) {
      for (const g of page) {
        groups++;
        memberships += g.memberCount ?? 0;
        largest = Math.max(largest, g.memberCount ?? 0);
        if (g.lastModified > lastChange) lastChange = g.lastModified;
      }
    }
    const purges = (await store.repo.pendingPurges(c.name)).length;
    const last = await ctx.backend.lastSuccess(c.name);
    const stats = {
      connector: c.name,
      users: active + inactive,
      activeUsers: active,
      inactiveUsers: inactive,
      groups,
      memberships,
      largestGroup: largest,
      pendingCleanups: purges,
      lastChange: lastChange || null,
      lastSuccessfulRequest: last instanceof Date ? last.toISOString() : last === 'unknown' ? 'unknown' : null,
    };
    if (f === 'json') out(ctx, JSON.stringify(stats, null, 2));
    else out(ctx, renderTable(null, Object.entries(stats).map(([k, v]) => [k, v === null ? '-' : String(v)])));
    return EXIT.ok;
  },
};

// ------------------------------------------------------------------------------- webhooks and events

const webhookSecretCmd: Command = {
  path: 'webhook secret',
  args: ['connector'],
  options: ['reveal', 'format'],
  summary: 'print the webhook signing secret (local; deployed only with --reveal)',
  help: `Usage: scim-admin webhook secret <connector> [--reveal] [--format text|json]
Prints the current signing secret of the connector's webhook on the first line of stdout, and the
previous one (with its expiry) while deliveries are still signed with it. The receiving app verifies
the Scim-Signature header with it. Against a deployed stack it is a live credential: --reveal is required.`,
  run: async (ctx, [name]) => {
    await resolveConnector(ctx, name!);
    if (ctx.backend.kind === 'deployed' && !ctx.values.reveal)
      throw new AdminError(`webhook secret prints a live credential of ${ctx.backend.description}: add --reveal to confirm`, EXIT.refused);
    const f = format(ctx, ['table', 'json'] as Format[], 'table');
    const set = await ctx.backend.readWebhookSecret(name!);
    if (f === 'json') {
      out(ctx, JSON.stringify(set, null, 2));
      return EXIT.ok;
    }
    out(ctx, set.current);
    if (set.previous && set.previousExpiresAt) {
      const alive = signingSecrets(set, ctx.now()).length > 1;
      note(ctx, `previous secret ${alive ? 'still signs deliveries' : 'expired'} (${set.previousExpiresAt}, ${relative(Date.parse(set.previousExpiresAt) - ctx.now().getTime())})`);
      if (alive) out(ctx, set.previous);
    }
    return EXIT.ok;
  },
};

const webhookRotateCmd: Command = {
  path: 'webhook rotate',
  args: ['connector'],
  options: ['grace'],
  summary: 'new webhook signing secret (printed once); the previous also signs for a grace period',
  help: `Usage: scim-admin webhook rotate <connector> [--grace 24h]
Generates a new signing secret for the connector's webhook and prints it once on stdout. Until the
grace period ends (default ${DEFAULT_GRACE}; 90s, 30m, 12h, 7d; 0 = at once) every delivery carries two
signatures (v1= with the new and with the previous secret), so the receiving app can switch to the
new secret at any time within it. Deployed: deliveries use the new secret within a minute (cache).`,
  run: async (ctx, [name]) => {
    const { grace, graceText } = graceOption(ctx);
    await resolveConnector(ctx, name!);
    const now = ctx.now();
    const next = rotateSigningSecret(await ctx.backend.readWebhookSecret(name!), grace, now);
    await ctx.backend.writeWebhookSecret(name!, next);
    out(ctx, next.current);
    note(
      ctx,
      `Rotated the webhook signing secret of ${name} (${ctx.backend.description}). Give the new secret to the receiving app.\n` +
        (next.previousExpiresAt
          ? `Deliveries are signed with both secrets until ${next.previousExpiresAt} (${graceText}).`
          : 'The previous secret no longer signs deliveries (grace 0): the receiving app must use the new one now.'),
    );
    return EXIT.ok;
  },
};

// ------------------------------------------------------------------------------------- cursor key

const cursorKeyRotateCmd: Command = {
  path: 'cursor-key rotate',
  args: [],
  options: ['grace'],
  summary: 'new signing key of the paging cursors; cursors signed with the previous stay valid for a grace period',
  help: `Usage: scim-admin cursor-key rotate [--grace 24h]
Generates a new key for the RFC 9865 paging cursors (nextCursor) and keeps the previous one accepted
until the grace period ends (default ${DEFAULT_GRACE}; 90s, 30m, 12h, 7d; 0 = at once), so a client in the
middle of a cursor walk is not cut off. The key is never printed. The users and groups functions
(and npm start) sign with the new key within ${CURSOR_KEY_TTL_MS / 60_000} minute; with --grace 0, cursors handed out before answer
400 invalidCursor and clients start their walk again. --grace 0 also replaces a secret that cannot be read.`,
  run: async (ctx) => {
    const { grace, graceText } = graceOption(ctx);
    const now = ctx.now();
    // Grace 0 keeps nothing of the old value: no need to read it (and a broken one is replaced).
    const before = grace > 0 ? await ctx.backend.readCursorKeys() : { current: '' };
    const next = rotateSecret(before, grace, now, newCursorKey());
    await ctx.backend.writeCursorKeys(next);
    note(
      ctx,
      `Rotated the paging cursors' key of ${ctx.backend.description}; new cursors are signed with it within ${CURSOR_KEY_TTL_MS / 60_000} minute.\n` +
        (next.previousExpiresAt
          ? `Cursors signed with the previous key are accepted until ${next.previousExpiresAt} (${graceText}).`
          : 'Cursors signed with the previous key are no longer accepted (grace 0): clients in a cursor walk start again.'),
    );
    return EXIT.ok;
  },
};

const eventsResyncCmd: Command = {
  path: 'events resync',
  args: ['connector'],
  options: ['kinds', 'rate', 'from', 'quiet'],
  summary: 'emit user/group/member.snapshot events of every resource (consumers catch up)',
  help: `Usage: scim-admin events resync <connector> [--kinds ${RESYNC_KINDS.join(',')}] [--rate N/s] [--from <cursor>] [--quiet]
Reads the connector's users, groups and memberships page by page and emits one user.snapshot or
group.snapshot event per resource (groups without members) and one member.snapshot per membership,
through the paths live events take: deployed, the event bus (every rule of the connector, its
webhook included); --local, .scim-local/events.jsonl and the connector's webhook. Consumers apply
snapshots as upserts (and ignore a version older than what they hold); every event carries the run
id, and a completed run ends with resync.completed (its counts: prune only once all arrived).
  --kinds   what to emit (default all: ${RESYNC_KINDS.join(',')}); members = member.snapshot
  --rate    events per second at most (default ${DEFAULT_RATE_PER_SECOND}/s)
  --from    continue an interrupted run: the cursor it printed
Progress goes to stderr. Ctrl-C stops after the batch in flight and prints the resume cursor on
stdout (exit 130); so does a failure (then its exit code).`,
  run: async (ctx, [name]) => {
    const rateText = str(ctx, 'rate');
    const rate = rateText === undefined ? DEFAULT_RATE_PER_SECOND : parseRate(rateText);
    if (rate === undefined) throw new AdminError(`--rate must be events per second like 50/s (at most 10000/s, got ${rateText})`, EXIT.usage);
    let kinds;
    let from;
    try {
      kinds = parseResyncKinds(str(ctx, 'kinds') ?? RESYNC_KINDS.join(','));
      const fromText = str(ctx, 'from');
      if (fromText !== undefined) from = decodeResyncCursor(fromText);
    } catch (e) {
      if (e instanceof CursorError) throw new AdminError(e.message.startsWith('--') ? e.message : `--from: ${e.message}`, EXIT.usage);
      throw e;
    }
    if (from && str(ctx, 'kinds') !== undefined && from.kinds.join(',') !== kinds.join(','))
      throw new AdminError(`--kinds ${kinds.join(',')} differs from the interrupted run's (${from.kinds.join(',')}): drop --kinds to continue it`, EXIT.usage);
    if (from?.phase === 'done') {
      note(ctx, 'that cursor marks a finished resync: nothing to continue');
      return EXIT.ok;
    }
    const c = await resolveConnector(ctx, name!);
    const store = await ctx.backend.store();
    const counts = await store.repo.counts(c.name);
    const target = await ctx.backend.eventTarget(c.name, { onError: (m) => note(ctx, m) });
    const quiet = ctx.values.quiet === true;
    const want = from?.kinds ?? kinds;
    note(ctx, `${from ? 'continuing the' : 'starting a'} resync of ${c.name} (${want.join(', ')}) to ${target.description}, at most ${rate}/s`);
    const progress = progressLine(ctx, quiet);
    const line = (p: Readonly<ResyncProgress>) =>
      `${want.includes('users') ? `users ${p.users}/${counts.users}, ` : ''}${want.includes('groups') ? `groups ${p.groups}/${counts.groups}, ` : ''}${want.includes('members') ? `memberships ${p.members}, ` : ''}${p.events} events`;
    // Ctrl-C: stop after the batch in flight and print the cursor.
    const stop = interruption(ctx);
    const resume = (cursor: Parameters<typeof encodeResyncCursor>[0]) => {
      const text = encodeResyncCursor(cursor);
      out(ctx, text);
      note(ctx, `resume with: scim-admin${ctx.backend.kind === 'local' ? ' --local' : ''} events resync ${c.name} --from ${text}`);
    };
    try {
      const r = await resync({
        store,
        connector: c.name,
        kinds,
        ratePerSecond: rate,
        emit: (events) => target.emit(events),
        ...(from ? { from } : {}),
        signal: stop.signal,
        onProgress: (p) => progress.show(line(p)),
      });
      progress.clear();
      await target.close();
      if (!r.completed) {
        note(ctx, `resync of ${c.name} interrupted after ${r.progress.events} events (${line(r.progress)}).`);
        resume(r.cursor);
        return EXIT.interrupted;
      }
      note(ctx, `resync of ${c.name} done: ${r.progress.users} user.snapshot, ${r.progress.groups} group.snapshot, ${r.progress.members} member.snapshot events (run ${r.runId}) to ${target.description}`);
      return EXIT.ok;
    } catch (e) {
      if (e instanceof ResyncError) {
        await target.close().catch(() => undefined);
        note(ctx, `resync of ${c.name} stopped after ${e.progress.events} events: ${e.message}`);
        resume(e.cursor);
        throw e.cause;
      }
      throw e;
    } finally {
      stop.release();
    }
  },
};

const setupLinkCmd: Command = {
  path: 'setup-link',
  args: ['connector'],
  options: ['expires', 'revoke'],
  summary: 'one-time setup page URL for the identity provider\'s admin (--revoke ends open links)',
  help: `Usage: scim-admin setup-link <connector> [--expires ${DEFAULT_LINK_EXPIRY}] [--revoke]
Prints the URL of a page that shows the connector's Tenant URL, reveals its Secret Token once, walks
the admin through Entra ID and Okta with the connector's attribute table and shows live whether the
identity provider reached the endpoint. Send the URL instead of the token: after one reveal, the
link only says when it was revealed. --expires: 30m, 72h, 7d (at most 30d; default ${DEFAULT_LINK_EXPIRY}).
--revoke: ends every open link of the connector now. Open links: scim-admin connectors.`,
  run: async (ctx, [name]) => {
    const c = await resolveConnector(ctx, name as string);
    const store = await ctx.backend.store();
    const links = new SetupLinks(store.ctx.doc, store.ctx.table, ctx.now);
    if (ctx.values.revoke === true) {
      if (str(ctx, 'expires') !== undefined) throw new AdminError('--revoke and --expires do not go together', EXIT.usage);
      const n = await links.revokeAll(c.name);
      note(ctx, n === 0 ? `no open setup link for ${c.name}` : `revoked ${n} setup link${n === 1 ? '' : 's'} of ${c.name}`);
      return EXIT.ok;
    }
    const expiry = parseLinkExpiry(str(ctx, 'expires') ?? DEFAULT_LINK_EXPIRY);
    if (typeof expiry === 'string') throw new AdminError(expiry, EXIT.usage);
    if (!c.tenantUrl) throw new AdminError(`no Tenant URL known for ${c.name} in ${ctx.backend.description}${ctx.backend.kind === 'local' ? ': run npm start once' : ''}`, EXIT.notFound);
    const pageBase = await ctx.backend.setupPageUrl(); // before writing: a stack without the setup API fails here
    const link = await links.create(c.name, Math.round(expiry / 1000), c.tenantUrl);
    out(ctx, pageBase ? `${pageBase}/${c.name}/${link.linkId}#${link.secret}` : setupLinkUrl(c.tenantUrl, c.name, link.linkId, link.secret));
    note(
      ctx,
      `Send this link to the identity provider's admin: it reveals the Secret Token of ${c.name} once, until ${link.expiresAt} (${relative(expiry)}). End it early: scim-admin${ctx.backend.kind === 'local' ? ' --local' : ''} setup-link ${c.name} --revoke`,
    );
    return EXIT.ok;
  },
};

export const COMMANDS: readonly Command[] = [
  connectorsCmd,
  checkCmd,
  tokenShow,
  tokenRotate,
  tokenRevoke,
  listCommand('User', 'list'),
  listCommand('User', 'export'),
  listCommand('Group', 'list'),
  statsCmd,
  webhookSecretCmd,
  webhookRotateCmd,
  eventsResyncCmd,
  cursorKeyRotateCmd,
  setupLinkCmd,
  pauseCmd,
  resumeCmd,
  snapshotCmd,
  restoreCmd,
];

export function mainHelp(): string {
  const synopsis = (c: Command) => [c.path, ...c.args.map((a) => `<${a}>`), ...(c.rest ? [`[${c.rest}…]`] : [])].join(' ');
  const width = Math.max(...COMMANDS.map((c) => synopsis(c).length));
  return [
    'Usage: scim-admin [--local | --stack <name> --region <r> --profile <p>] <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
    '',
    'Exit codes: 0 ok, 1 unexpected error or a failed check, 2 usage, 3 not found (connector/stack/local data),',
    '            4 AWS credentials, permissions or no region, 5 refused (token show / webhook secret without --reveal),',
    '            130 interrupted (events resync: the resume cursor is on stdout; restore: run it again).',
    'Run `scim-admin <command> --help` for a command\'s options.',
  ].join('\n');
}

function defaultStack(): string {
  try {
    const json = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    const name = json.context?.['scim:stackName'];
    return typeof name === 'string' && name !== '' ? name : 'Scim';
  } catch {
    return 'Scim';
  }
}

const AUTH_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'UnauthorizedOperation',
]);

/** Runs one command line; returns the exit code (never calls process.exit). */
export async function run(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  const err = (m: string) => void io.stderr.write(`scim-admin: ${m}\n`);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    err(`${(e as Error).message}\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const cmd = COMMANDS.find((c) => {
    const words = c.path.split(' ');
    return words.every((w, i) => positionals[i] === w);
  });
  if (!cmd) {
    if (positionals.length === 0 || values.help) {
      (values.help ? io.stdout : io.stderr).write(mainHelp() + '\n');
      return values.help ? EXIT.ok : EXIT.usage;
    }
    const group = COMMANDS.filter((c) => c.path.startsWith(`${positionals[0]} `));
    if (group.length > 0) err(`"${positionals.join(' ')}": expected one of: ${group.map((c) => c.path).join(', ')}`);
    else err(`unknown command "${positionals[0]}"\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(`${cmd.help}\n\n${GLOBAL_HELP}\n`);
    return EXIT.ok;
  }
  const args = positionals.slice(cmd.path.split(' ').length);
  const usage = (m: string) => {
    err(`${m}\n\n${cmd.help}`);
    return EXIT.usage;
  };
  if (args.length < cmd.args.length) return usage(`missing <${cmd.args[args.length]}>`);
  if (args.length > cmd.args.length && !cmd.rest) return usage(`unexpected argument "${args[cmd.args.length]}"`);
  const foreign = (Object.keys(values) as OptionName[]).filter((k) => !GLOBAL.includes(k) && !cmd.options.includes(k));
  if (foreign.length > 0) return usage(`${foreign.map((k) => `--${k}`).join(', ')} does not apply to "${cmd.path}"`);
  if (values.local && (values.stack || values.region || values.profile)) return usage('--local cannot be combined with --stack, --region or --profile');

  const g: GlobalOptions = {
    local: values.local === true,
    dir: resolve(values.dir ?? process.env.SCIM_LOCAL_DIR ?? '.scim-local'),
    stack: values.stack ?? defaultStack(),
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  };
  const backend = deps.backend?.(g) ?? (g.local ? new LocalBackend({ dir: g.dir }) : new DeployedBackend(g));
  try {
    return await cmd.run({ io, backend, values, now: deps.now ?? (() => new Date()), ...(deps.signal ? { signal: deps.signal } : {}) }, args);
  } catch (e) {
    if (e instanceof AdminError) {
      err(e.message);
      return e.exitCode;
    }
    const name = (e as Error)?.name ?? '';
    // The SDK's own words when no region is configured: say what to set (a configuration problem, like missing credentials).
    if (/^Region is missing/.test((e as Error)?.message ?? '')) {
      err('no AWS region configured: pass --region <region> (e.g. --region eu-west-1) or set AWS_REGION (or a region in the --profile\'s config)');
      return EXIT.auth;
    }
    if (AUTH_ERRORS.has(name) || /credential/i.test(name)) {
      err(`AWS refused the request (${name}): ${(e as Error).message}\nCheck --profile/--region or your AWS credentials.`);
      return EXIT.auth;
    }
    if (name === 'ResourceNotFoundException') {
      err(`not found: ${(e as Error).message}`);
      return EXIT.notFound;
    }
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || name === 'TimeoutError') {
      err(`cannot reach AWS (${(e as Error).message}): check the network connection and --region`);
      return EXIT.error;
    }
    err(`${name || 'Error'}: ${(e as Error)?.message ?? String(e)}`);
    return EXIT.error;
  } finally {
    await backend.close().catch(() => undefined);
  }
}
