/**
 * `npx tsx test/bench/patterns.ts`: timings of the linear-time pattern engine of configured
 * `accept: { pattern }` rules (lambdas/connectors/pattern.ts), printed, never asserted (the unit
 * tests count the engine's steps instead, test/unit/connectors/pattern.test.ts).
 *
 *  1. pathological shapes on a value of 8,192 characters (the longest SCIM string): ms per value,
 *     steps per character, ns per step;
 *  2. the worst case the cost limit allows (MAX_STEPS_PER_CHARACTER): per value, and per 1 MiB
 *     request of such values (the request body limit);
 *  3. JavaScript's RegExp on `^(a+)+$` and "a"×40 + "!", in a child process killed at 2 s (it is
 *     still backtracking then), next to the linear engine's answer.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { compilePattern, MAX_STEPS_PER_CHARACTER } from '../../lambdas/connectors/pattern.js';
import { median, r, table } from './support/stats.js';

const LONG = 8192;
const REQUEST_CHARS = 1024 * 1024;

function time(pattern: string, value: string, caseInsensitive = false) {
  const p = compilePattern(pattern, { caseInsensitive });
  const runs: number[] = [];
  const steps = { n: 0 };
  p.test(value); // warm-up
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    p.test(value, i === 0 ? steps : undefined);
    runs.push(performance.now() - t0);
  }
  const ms = median(runs);
  return { pattern, ci: caseInsensitive ? 'yes' : '', cost: p.cost, 'steps/char': r(steps.n / value.length, 1), 'ms per 8 KiB': r(ms), 'ns/step': r((ms * 1e6) / Math.max(1, steps.n), 1) };
}

/** The most expensive pattern of the shape `(?:.?){n}!` that the cost limit still accepts. */
function atLimit(): string {
  let n = 1;
  while (n < 1000) {
    try {
      compilePattern(`(?:.?){${n + 1}}!`);
      n++;
    } catch {
      break;
    }
  }
  return `(?:.?){${n}}!`;
}

async function regexpWithin(ms: number): Promise<string> {
  const script = `console.log(/^(a+)+$/u.test(${JSON.stringify(`${'a'.repeat(40)}!`)}))`;
  const t0 = performance.now();
  return promisify(execFile)(process.execPath, ['-e', script], { timeout: ms, killSignal: 'SIGKILL' }).then(
    ({ stdout }) => `answered ${stdout.trim()} in ${Math.round(performance.now() - t0)} ms`,
    (e: { killed?: boolean }) => (e.killed ? `still running, killed at ${ms / 1000} s` : `failed: ${String(e)}`),
  );
}

async function main(): Promise<void> {
  const a = 'a'.repeat(LONG);
  const pathological = [
    time('^(a+)+$', `${a.slice(1)}!`),
    time('(a|a)*$', a),
    time('^(a|aa)+$', `${a.slice(1)}!`),
    time('^(a*)*b$', a),
    time('^(\\w+\\s?)*$', `${a.slice(1)}!`),
    time('(a?){30}a{30}', a),
    time('^[\\p{L}\\p{M}\' -]+$', `${'é'.repeat(LONG - 1)}!`),
    time('^[A-Z]{2}[0-9]{4}$', a, true),
  ];
  table('Pathological patterns on 8,192 characters (linear engine)', pathological);

  const limit = atLimit();
  const worst = time(limit, a);
  const perRequest = (worst['ms per 8 KiB'] * REQUEST_CHARS) / LONG;
  table(`The worst case the cost limit (${MAX_STEPS_PER_CHARACTER} steps per character) accepts`, [
    { ...worst, 'ms per 1 MiB request': r(perRequest) },
    time(limit, a, true),
  ]);

  const linear = compilePattern('^(a+)+$').test(`${'a'.repeat(40)}!`);
  table('^(a+)+$ on "a"×40 + "!"', [
    { engine: 'linear (pattern.ts)', answer: String(linear) },
    { engine: 'RegExp (child process, 2 s limit)', answer: await regexpWithin(2000) },
  ]);
}

await main();
