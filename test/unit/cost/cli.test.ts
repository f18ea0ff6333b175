/**
 * `npm run cost` (bin/cost.ts): the table, Markdown and JSON outputs agree with the model, `--help`,
 * and usage errors exit 2 with the reason and the usage on stderr, nothing on stdout. One run goes
 * through `npm run cost` itself (the package.json script and tsx).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT, main, usd, USAGE } from '../../../bin/cost.js';
import { DEFAULT_INPUT, estimateCost } from '../../../bin/cost/model.js';

function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const ISSUE_EXAMPLE = ['--users', '10000', '--groups', '500', '--connectors', '3'];
const expected = estimateCost({ ...DEFAULT_INPUT, users: 10_000, groups: 500, connectors: 3 });

describe('npm run cost', () => {
  it('--users 10000 --groups 500 --connectors 3: one row per line item, the totals of the model, the assumptions', () => {
    const r = run(...ISSUE_EXAMPLE);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('10,000 users, 500 groups, 3 connectors (Entra ID)');
    expect(r.stdout).toContain('us-east-1 list prices as of');
    for (const x of expected.items) expect(r.stdout).toMatch(new RegExp(`^${x.label.replace(/[()+]/g, '\\$&')}\\s+(–|<?\\$[\\d.]+)\\s+(–|<?\\$[\\d.]+)\\s+\\S`, 'm'));
    const total = r.stdout.split('\n').find((l) => l.startsWith('total'))!;
    expect(total).toContain(usd(expected.totals.initialUsd));
    expect(total).toContain(usd(expected.totals.monthlyUsd));
    expect(r.stdout).toContain('What dominates:');
    expect(r.stdout).toContain('Assumptions:');
  });

  it('--format json: the model result, parseable', () => {
    const r = run(...ISSUE_EXAMPLE, '--format', 'json');
    expect(r.code).toBe(EXIT.ok);
    const j = JSON.parse(r.stdout) as { totals: unknown; items: { id: string }[]; input: unknown; prices: { region: string }; assumptions: string[] };
    expect(j.totals).toEqual(expected.totals);
    expect(j.items.map((x) => x.id)).toEqual(expected.items.map((x) => x.id));
    expect(j.input).toEqual(expected.input);
    expect(j.prices.region).toBe('us-east-1');
    expect(j.assumptions.length).toBeGreaterThan(3);
  });

  it('--format markdown with several --users: one column pair each', () => {
    const r = run('--users', '1000,10000,100000', '--connectors', '3', '--format', 'markdown');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('| line item | 1,000 users: once | per month | 10,000 users: once | per month | 100,000 users: once | per month |');
    expect(r.stdout).toContain('groups: 50 / 500 / 500');
    const totals = r.stdout.split('\n').find((l) => l.startsWith('| **total**'))!;
    for (const users of [1000, 10_000, 100_000]) {
      const e = estimateCost({ ...DEFAULT_INPUT, users, groups: Math.min(500, users / 20), connectors: 3 });
      expect(totals).toContain(`**${usd(e.totals.monthlyUsd)}**`);
    }
  });

  it('--churn takes a percent, with or without %; --okta splits the connectors', () => {
    const a = JSON.parse(run('--churn', '2', '--format', 'json').stdout) as { input: { dailyChurn: number } };
    const b = JSON.parse(run('--churn', '2%', '--format', 'json').stdout) as { input: { dailyChurn: number } };
    expect(a.input.dailyChurn).toBe(0.02);
    expect(b.input.dailyChurn).toBe(0.02);
    expect(run('--connectors', '3', '--okta', '1').stdout).toContain('3 connectors (2 Entra ID, 1 Okta)');
  });

  it('--help prints the usage and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = run(flag);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toBe(USAGE);
    }
  });

  it.each([
    [['--user', '10'], /user/],
    [['--users', 'many'], /--users must be a number/],
    [['--users=-5'], /--users must be a whole number/],
    [['--connectors', '3', '--okta', '4'], /--okta must be at most/],
    [['--format', 'xml'], /--format must be table, markdown or json/],
    [['10000'], /positional|argument/i],
    [['--churn', '150'], /--churn/],
  ])('usage error %j → exit 2, reason and usage on stderr, nothing on stdout', (argv, reason) => {
    const r = run(...argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain('Usage: npm run cost');
  });
});

describe('npm run cost, as a process', () => {
  const exec = promisify(execFile);
  const cwd = join(import.meta.dirname, '..', '..', '..');

  it('prints the table and exits 0; a usage error exits 2', async () => {
    const ok = await exec('npm', ['run', '--silent', 'cost', '--', ...ISSUE_EXAMPLE], { cwd, timeout: 60_000 });
    expect(ok.stdout).toContain('10,000 users, 500 groups, 3 connectors');
    expect(ok.stdout).toMatch(/^total\s+\$\d+\.\d\d\s+\$\d+\.\d\d/m);
    const bad = await exec('npx', ['tsx', 'bin/cost.ts', '--bogus'], { cwd, timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--bogus');
  }, 120_000);
});
