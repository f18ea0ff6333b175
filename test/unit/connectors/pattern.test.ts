/**
 * The linear-time pattern engine of configured `accept: { pattern }` rules (lambdas/connectors/
 * pattern.ts): the same answers as JavaScript's RegExp (`u` flag) on the syntax it accepts, a
 * reason for what it refuses, and no catastrophic backtracking — a known pathological pattern and
 * value answer inside a hard 2 s limit (a child process killed at the limit), where RegExp itself
 * is still running when it is killed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAccept } from '../../../lambdas/connectors/accept.js';
import { compilePattern, LinearPattern, MAX_REPEAT, MAX_STATES, PatternError } from '../../../lambdas/connectors/pattern.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('same answers as RegExp (u flag)', () => {
  it.each([
    ['^[A-Z]{2}[0-9]{4}$', ['AB1234', 'ab1234', 'AB12345', 'XAB1234', '', 'AB123']],
    ['a|b', ['xxb', 'c', '']],
    ['^$', ['', 'a']],
    ['x*', ['', 'abc']],
    ['^(?:ab|a)*c$', ['ababac', 'abab', 'c', 'abbc']],
    ['^\\d{3}-\\d{4}$', ['555-1234', '5551234', '٥٥٥-١٢٣٤']],
    ['^\\w+$', ['snake_case1', 'kebab-case', 'é']],
    ['^\\s*x\\s*$', [' x ', '\u00a0x\u3000', '\tx\n', 'y']],
    ['^\\S+$', ['abc', 'a b']],
    ['^.$', ['😀', 'ab', '\n', '\r', '\u2028', 'é']],
    ['^\\u{1F600}$', ['😀', '\ud83d']],
    ['^\\uD83D\\uDE00$', ['😀']],
    ['^\\x41\\u0042$', ['AB', 'ab']],
    ['^[\\w-]+$', ['ab-c_1', 'a b']],
    ['^[^a-c]+$', ['xyz', 'xaz']],
    ['^[a-c\\d.]+$', ['a1.b', 'a1,b']],
    ['^a{2,3}$', ['a', 'aa', 'aaa', 'aaaa']],
    ['^a{2,}$', ['a', 'aa', 'aaaaaaa']],
    ['(?<x>ab)+?$', ['abab', 'ba']],
    ['^[^]$', ['x', '\n']],
    ['^[]$', ['x', '']],
    ['\\.', ['a.b', 'ab']],
    ['^\\$\\^\\(\\)\\[\\]\\{\\}\\|\\/\\\\$', ['$^()[]{}|/\\']],
    ['^[\\b]$', ['\b', 'b']],
    ['^\\0$', ['\0', '0']],
  ] as const)('%s', (pattern, values) => {
    const ours = compilePattern(pattern);
    const js = new RegExp(pattern, 'u');
    for (const v of values) expect(ours.test(v), JSON.stringify(v)).toBe(js.test(v));
  });

  it('random values (property): the answer of RegExp, for patterns with alternation, classes, repeats and anchors', () => {
    const patterns = ['^(a|ab)*b?$', '(ab|ba)+', '^[ab]{2,4}c?$', 'a.b', '^(?:a+b)*$', 'b$', '^(a|b|)+c', '[^a]{2}', '(a?){3}a{3}', '^\\w\\W?\\d*$'];
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', ' ', '\n', '😀'), maxLength: 12 }), (pattern, value) => {
        expect(compilePattern(pattern).test(value)).toBe(new RegExp(pattern, 'u').test(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('what it refuses, and why', () => {
  it.each([
    ['(a)\\1', /backreferences are not supported/],
    ['(?<n>a)\\k<n>', /backreferences are not supported/],
    ['(?=a)b', /lookaround is not supported/],
    ['(?<!a)b', /lookaround is not supported/],
    ['\\bword', /word boundaries/],
    ['\\p{L}+', /Unicode property escapes/],
    ['(?i:a)', /^invalid regular expression: /],
    ['[', /^invalid regular expression: Unterminated character class/],
    ['a**', /^invalid regular expression: Nothing to repeat/],
    [`a{${MAX_REPEAT + 1}}`, new RegExp(`repeat count above ${MAX_REPEAT}`)],
    ['(a{100}){11}', new RegExp(`more than ${MAX_STATES} states`)],
  ])('%s', (pattern, reason) => {
    expect(() => compilePattern(pattern)).toThrow(PatternError);
    expect(() => compilePattern(pattern)).toThrow(reason);
  });
});

describe('no catastrophic backtracking', () => {
  // The classic pair: a backtracking engine tries 2^40 ways to split the a's before failing.
  const PATHOLOGICAL = { pattern: '^(a+)+$', value: `${'a'.repeat(40)}!` };
  let dir: string;
  let probe: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scim-pattern-'));
    probe = join(dir, 'probe.mjs');
    // The accept predicate a configured rule compiles to, bundled so a plain `node` starts it in milliseconds.
    await build({
      stdin: {
        contents: `import { compileAccept } from './lambdas/connectors/accept.ts';
          const [engine, pattern, ...values] = process.argv.slice(2);
          const test = engine === 'regexp' ? ((r) => (v) => r.test(v))(new RegExp(pattern, 'u')) : compileAccept({ pattern });
          console.log(JSON.stringify(values.map((v) => test(v))));`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: probe,
      logLevel: 'error',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (engine: 'linear' | 'regexp', pattern: string, values: string[]) =>
    promisify(execFile)(process.execPath, [probe, engine, pattern, ...values], { timeout: 2000, killSignal: 'SIGKILL' });

  it('compiled accept rules use the linear engine, never RegExp', () => {
    expect(compilePattern(PATHOLOGICAL.pattern)).toBeInstanceOf(LinearPattern);
    expect(compilePattern(PATHOLOGICAL.pattern).engine).toBe('nfa-simulation');
    const exec = RegExp.prototype.exec;
    let calls = 0;
    RegExp.prototype.exec = function (this: RegExp, s: string) {
      calls++;
      return exec.call(this, s);
    };
    try {
      expect(compileAccept({ pattern: PATHOLOGICAL.pattern })(PATHOLOGICAL.value)).toBe(false);
    } finally {
      RegExp.prototype.exec = exec;
    }
    expect(calls).toBe(0);
  });

  it(`${PATHOLOGICAL.pattern} on "a"×40 + "!": answered inside a hard 2 s limit, where RegExp is still running`, async () => {
    const { stdout } = await run('linear', PATHOLOGICAL.pattern, [PATHOLOGICAL.value, 'a'.repeat(40)]);
    expect(JSON.parse(stdout)).toEqual([false, true]);
    const native = await run('regexp', PATHOLOGICAL.pattern, [PATHOLOGICAL.value]).then(
      () => 'finished',
      (e: { killed?: boolean; signal?: string }) => (e.killed && e.signal === 'SIGKILL' ? 'killed at 2 s' : `failed: ${String(e.signal)}`),
    );
    expect(native).toBe('killed at 2 s');
  }, 10_000);

  it('other pathological shapes, on a value of the longest length a SCIM string may have (8,192 characters), each inside the 2 s limit', async () => {
    const long = `${'a'.repeat(8191)}!`;
    const cases: [string, boolean][] = [
      ['(a|a)*$', true],
      ['^(a|aa)+$', false],
      ['^(a*)*b$', false],
      ['^(\\w+\\s?)*$', false],
      ['(a?){30}a{30}', true],
    ];
    for (const [pattern, expected] of cases) {
      const { stdout } = await run('linear', pattern, [long]);
      expect(JSON.parse(stdout), pattern).toEqual([expected]);
    }
  }, 20_000);
});
