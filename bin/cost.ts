/**
 * `npm run cost`: the monthly AWS cost of running this stack for a directory (bin/cost/model.ts),
 * as a table (default), Markdown (`--format markdown`, what the README shows) or JSON.
 *
 *   npm run cost -- --users 10000 --groups 500 --connectors 3
 *   npm run cost -- --users 1000,10000,100000 --connectors 3 --format markdown
 *
 * Exit codes: 0 printed, 2 usage (unknown option, bad value). Results on stdout, errors on stderr.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_INPUT, assumptions, estimateCost, inputProblems, type CostInput, type CostResult, type LineItem } from './cost/model.js';
import { PRICES } from './cost/prices.js';

export const EXIT = { ok: 0, usage: 2 } as const;

export const USAGE = `Usage: npm run cost -- [options]

Monthly AWS cost of running this stack for a directory: API Gateway, Lambda, DynamoDB, Secrets
Manager, CloudWatch (dashboard, alarms, metrics, logs), X-Ray, EventBridge. Two columns: the one-off
initial provisioning, and a steady month afterwards. ${PRICES.region} list prices as of ${PRICES.asOf}.

Options:
  --users N[,N…]       users in the directory (default ${DEFAULT_INPUT.users}); several: one column each
  --groups N           groups (default: users / 20, from 10 to 500)
  --connectors N       connectors (apps), each provisioned with the whole directory (default ${DEFAULT_INPUT.connectors})
  --okta N             how many of them Okta pushes (default ${DEFAULT_INPUT.oktaConnectors}; the others: Entra ID)
  --webhooks N         how many connectors have a signed webhook (default 0)
  --churn P            percent of users that change a day (default ${DEFAULT_INPUT.dailyChurn * 100}; "1%" works too)
  --memberships N      group memberships per user (default ${DEFAULT_INPUT.membershipsPerUser})
  --member-changes N   membership changes per changed user (default ${DEFAULT_INPUT.memberChangesPerChange})
  --format F           table (default), markdown or json
  -h, --help           this text

Exit codes: 0 success, 2 usage error.
`;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

class UsageError extends Error {}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const text = raw.trim().replace(/%$/, '');
  const v = Number(text.replace(/_/g, ''));
  if (text === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(raw)}`);
  return v;
}

export function defaultGroups(users: number): number {
  return Math.min(500, Math.max(10, Math.round(users / 20)));
}

/** The inputs of the command line (one per `--users` value). */
export function parseCommandLine(argv: readonly string[]): { inputs: CostInput[]; format: 'table' | 'markdown' | 'json' } | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        groups: { type: 'string' },
        connectors: { type: 'string' },
        okta: { type: 'string' },
        webhooks: { type: 'string' },
        churn: { type: 'string' },
        memberships: { type: 'string' },
        'member-changes': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format must be table, markdown or json, got ${JSON.stringify(format)}`);
  const usersList = values.users === undefined ? [DEFAULT_INPUT.users] : String(values.users).split(',').map((u) => number('users', u, Number.NaN));
  if (usersList.length > 6) throw new UsageError('--users takes at most 6 values');
  const inputs = usersList.map((users) => {
    const input: CostInput = {
      users,
      groups: number('groups', values.groups as string | undefined, Number.isInteger(users) ? defaultGroups(users) : Number.NaN),
      connectors: number('connectors', values.connectors as string | undefined, DEFAULT_INPUT.connectors),
      oktaConnectors: number('okta', values.okta as string | undefined, DEFAULT_INPUT.oktaConnectors),
      dailyChurn: number('churn', values.churn as string | undefined, DEFAULT_INPUT.dailyChurn * 100) / 100,
      membershipsPerUser: number('memberships', values.memberships as string | undefined, DEFAULT_INPUT.membershipsPerUser),
      memberChangesPerChange: number('member-changes', values['member-changes'] as string | undefined, DEFAULT_INPUT.memberChangesPerChange),
      ...(values.webhooks !== undefined ? { webhookConnectors: number('webhooks', values.webhooks as string, 0) } : {}),
    };
    const problems = inputProblems(input);
    if (problems.length > 0) throw new UsageError(problems.map((p) => `--${p}`).join('\n'));
    return input;
  });
  return { inputs, format };
}

// ---- output --------------------------------------------------------------------------------------

export function usd(n: number): string {
  if (n === 0) return '–';
  if (n < 0.005) return '<$0.01';
  return `$${n.toFixed(2)}`;
}

const int = (n: number): string => n.toLocaleString('en-US');

function heading(i: CostInput): string {
  const entra = i.connectors - i.oktaConnectors;
  const who = i.oktaConnectors === 0 ? 'Entra ID' : entra === 0 ? 'Okta' : `${entra} Entra ID, ${i.oktaConnectors} Okta`;
  return `${int(i.users)} users, ${int(i.groups)} groups, ${i.connectors} connector${i.connectors === 1 ? '' : 's'} (${who}), ${+(i.dailyChurn * 100).toFixed(3)} % of users changing a day`;
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

const label = (x: LineItem) => x.label;

const FIXED: readonly LineItem['id'][] = ['dashboard', 'alarms', 'metrics', 'secrets'];

/** What dominates: the fixed monitoring and secrets, the stored data, the requests; and the one-off provisioning. */
export function dominance(r: CostResult): string {
  const total = r.totals.monthlyUsd;
  const part = (ids: readonly LineItem['id'][]) => r.items.filter((x) => ids.includes(x.id)).reduce((n, x) => n + x.monthlyUsd, 0);
  const fixed = part(FIXED);
  const storage = part(['dynamoStorage']);
  const webhooks = part(['webhooks']);
  const traffic = total - fixed - storage - webhooks;
  const top = [...r.items].sort((a, b) => b.monthlyUsd - a.monthlyUsd)[0]!;
  const once = [...r.items].sort((a, b) => b.initialUsd - a.initialUsd).slice(0, 2);
  return (
    `${Math.floor((fixed / total) * 100)} % of the month (${usd(fixed)}) is the fixed part: dashboard, alarms, custom metrics and secrets, nearly the same for any directory size (largest: ${top.label}, ${usd(top.monthlyUsd)}); ` +
    `stored data ${usd(storage)}, the requests (API Gateway, Lambda, DynamoDB, logs, X-Ray, events) ${usd(traffic)}` +
    (webhooks > 0 ? `, the webhooks (secrets, queue polling, deliveries) ${usd(webhooks)}` : '') +
    '; ' +
    `the initial provisioning costs ${usd(r.totals.initialUsd)} once, mostly ${once.map(label).join(' and ')}`
  );
}

export function renderTable(r: CostResult): string {
  const rows = [['line item', 'initial (once)', 'per month', 'what drives it']];
  for (const x of r.items) rows.push([x.label, usd(x.initialUsd), usd(x.monthlyUsd), x.driver]);
  rows.push(['total', usd(r.totals.initialUsd), usd(r.totals.monthlyUsd), `first month: ${usd(r.totals.firstMonthUsd)}`]);
  return [
    `Monthly AWS cost — ${heading(r.input)}`,
    `${r.prices.region} list prices as of ${r.prices.asOf}, ${r.prices.currency}, before any free tier (prices change; other regions differ)`,
    '',
    pad(rows),
    '',
    `What dominates: ${dominance(r)}.`,
    '',
    'Assumptions:',
    ...assumptions(r.input).map((a) => `  - ${a}`),
    '',
  ].join('\n');
}

/** One column pair (once / month) per result: the README's table. */
export function renderMarkdown(results: readonly CostResult[]): string {
  const first = results[0]!;
  const head = ['line item', ...results.flatMap((r) => [`${int(r.input.users)} users: once`, 'per month'])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const [k, x] of first.items.entries()) lines.push(`| ${x.label} | ${results.flatMap((r) => [usd(r.items[k]!.initialUsd), usd(r.items[k]!.monthlyUsd)]).join(' | ')} |`);
  lines.push(`| **total** | ${results.flatMap((r) => [`**${usd(r.totals.initialUsd)}**`, `**${usd(r.totals.monthlyUsd)}**`]).join(' | ')} |`);
  const i = first.input;
  const common = `${i.connectors} connector${i.connectors === 1 ? '' : 's'} (${i.connectors - i.oktaConnectors} Entra ID, ${i.oktaConnectors} Okta), ${+(i.dailyChurn * 100).toFixed(3)} % of users changing a day, ${i.membershipsPerUser} memberships per user, groups: ${results.map((r) => int(r.input.groups)).join(' / ')}`;
  return [
    `${results.length === 1 ? heading(i) : common}. ${first.prices.region} list prices as of ${first.prices.asOf}, ${first.prices.currency}, no free tier.`,
    '',
    ...lines,
    '',
    ...results.map((r) => `- ${int(r.input.users)} users: ${dominance(r)}.`),
    '',
  ].join('\n');
}

export function renderJson(results: readonly CostResult[]): string {
  const one = (r: CostResult) => ({
    input: r.input,
    prices: r.prices,
    items: r.items,
    totals: r.totals,
    dominant: r.dominant,
    workload: { initial: r.initial, monthly: r.monthly, storedBytes: r.storedBytes },
    assumptions: assumptions(r.input),
  });
  return `${JSON.stringify(results.length === 1 ? one(results[0]!) : results.map(one), null, 2)}\n`;
}

export function main(argv: readonly string[], io: Io = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) }): number {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`npm run cost: ${e.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (parsed === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const results = parsed.inputs.map((i) => estimateCost(i));
  if (parsed.format === 'json') io.stdout(renderJson(results));
  else if (parsed.format === 'markdown') io.stdout(renderMarkdown(results));
  else io.stdout(results.map(renderTable).join('\n'));
  return EXIT.ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
