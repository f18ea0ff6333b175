/**
 * The linear-time pattern engine of configured `accept: { pattern }` rules (lambdas/connectors/
 * pattern.ts): the same answers as JavaScript's RegExp (`u` flag, and `i` for case-insensitive
 * rules) on the syntax it accepts, a reason for what it refuses, and a bounded worst case: the
 * work of a match (counted, not timed) never exceeds the pattern's computed cost per character,
 * and a pattern over the cost limit is refused. Timings (and RegExp's catastrophic backtracking
 * next to it) are measured by `npx tsx test/bench/patterns.ts`, never asserted here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileAccept } from '../../../lambdas/connectors/accept.js';
import { compilePattern, MAX_REPEAT, MAX_STATES, MAX_STEPS_PER_CHARACTER, PatternCostError, PatternError } from '../../../lambdas/connectors/pattern.js';

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
    ['^\\p{L}+$', ['Zoë', 'Ångström', 'Δημήτρης', '李小龍', 'O\'Brien', '', 'a1']],
    ['^[\\p{L}\\p{M}\' -]+$', ['Zoë', 'Zoe\u0308', 'O\'Brien-Smith', 'R2D2']],
    ['^\\P{L}+$', ['123 !', '12a']],
    ['^[^\\p{Lu}]+$', ['abc', 'aBc', 'é', 'É']],
    ['^\\p{Script=Greek}+$', ['αβγ', 'abc']],
    ['^\\p{Lu}\\p{Ll}*$', ['Élodie', 'élodie', 'ÉLODIE']],
    ['^\\p{N}+$', ['123', '٣٤', 'Ⅻ', 'x']],
    ['^\\w+$', ['Zoë']], // \w stays ASCII, as in JavaScript
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
    ['\\p{Nope}', /^invalid regular expression: Invalid property name/],
    ['(?:.?){490}!', /^costs up to 1473 steps per character of a value, over the limit of 300 .*: use fewer or smaller bounded repeats/],
    ['(?i:a)', /^invalid regular expression: /],
    ['[', /^invalid regular expression: Unterminated character class/],
    ['a**', /^invalid regular expression: Nothing to repeat/],
    [`a{${MAX_REPEAT + 1}}`, new RegExp(`repeat count above ${MAX_REPEAT}`)],
    ['(a{100}){11}', new RegExp(`more than ${MAX_STATES} states`)],
  ])('%s', (pattern, reason) => {
    expect(() => compilePattern(pattern)).toThrow(PatternError);
    expect(() => compilePattern(pattern)).toThrow(reason);
  });

  it('the cost limit: what it refuses is PatternCostError with the cost; just under it compiles', () => {
    const over = (() => {
      try {
        compilePattern('^(?:a?){100}$');
      } catch (e) {
        return e;
      }
    })();
    expect(over).toBeInstanceOf(PatternCostError);
    expect((over as PatternCostError).cost).toBeGreaterThan(MAX_STEPS_PER_CHARACTER);
    expect(compilePattern('^(?:a?){98}$').cost).toBeLessThanOrEqual(MAX_STEPS_PER_CHARACTER);
  });
});

describe('case-insensitive (a rule on a caseExact: false attribute)', () => {
  it.each([
    ['^[A-Z]{2}[0-9]{4}$', ['ab1234', 'AB1234', 'aB1234', 'ab12']],
    ['^engineer$', ['Engineer', 'ENGINEER', 'engineers']],
    ['^[^a]+$', ['bcd', 'A', 'bAc']],
    ['^é+$', ['É', 'éÉ', 'e']],
    ['^[k]$', ['K', '\u212a']],
    ['^\u212a$', ['k', 'K']],
    ['^\\p{Lu}+$', ['abc', 'ABC', 'é']],
    ['^[^\\p{Ll}]$', ['a', 'A', '1']],
  ] as const)('%s: the answers of RegExp with the i flag', (pattern, values) => {
    const ours = compilePattern(pattern, { caseInsensitive: true });
    const js = new RegExp(pattern, 'iu');
    for (const v of values) expect(ours.test(v), JSON.stringify(v)).toBe(js.test(v));
  });

  it('random values (property): the answer of RegExp with the i flag', () => {
    const patterns = ['^(a|Ab)*B?$', '(aB|Ba)+', '^[a-c]{2,4}C?$', 'A.b', '^[^B]+$', '^(?:é|x)+$', '[ÀÉ]{2}'];
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', 'c', 'C', 'é', 'É', 'à', 'ß', ' '), maxLength: 10 }), (pattern, value) => {
        expect(compilePattern(pattern, { caseInsensitive: true }).test(value)).toBe(new RegExp(pattern, 'iu').test(value));
      }),
      { numRuns: 1500 },
    );
  });

  it('accept specs: oneOf and pattern fold case unless the attribute is caseExact', () => {
    expect(compileAccept({ oneOf: ['Engineer'] })('engineer')).toBe(true);
    expect(compileAccept({ oneOf: ['Engineer'] }, { caseExact: true })('engineer')).toBe(false);
    expect(compileAccept({ oneOf: ['Engineer'] }, { caseExact: true })('Engineer')).toBe(true);
    expect(compileAccept({ pattern: '^[A-Z]+$' })('abc')).toBe(true);
    expect(compileAccept({ pattern: '^[A-Z]+$' }, { caseExact: true })('abc')).toBe(false);
  });
});

describe('bounded worst case (work counted, not timed)', () => {
  const LONG = 8192; // the longest SCIM string value (lambdas/scim/limits.ts)
  /** Runs `pattern` on `value`; returns the answer and the steps the engine took. */
  const run = (pattern: string, value: string, caseInsensitive = false) => {
    const p = compilePattern(pattern, { caseInsensitive });
    const steps = { n: 0 };
    return { answer: p.test(value, steps), steps: steps.n, cost: p.cost };
  };

  it('compiled accept rules use the linear engine, never RegExp, on pathological input', () => {
    const exec = RegExp.prototype.exec;
    let calls = 0;
    RegExp.prototype.exec = function (this: RegExp, s: string) {
      calls++;
      return exec.call(this, s);
    };
    let answer: boolean;
    try {
      answer = compileAccept({ pattern: '^(a+)+$' })(`${'a'.repeat(40)}!`);
    } finally {
      RegExp.prototype.exec = exec;
    }
    expect([answer, calls]).toEqual([false, 0]);
  });

  it.each<[string, string, boolean]>([
    // The classic pair: a backtracking engine tries 2^n ways to split the a's before failing.
    ['^(a+)+$', `${'a'.repeat(LONG - 1)}!`, false],
    ['(a|a)*$', 'a'.repeat(LONG), true],
    ['^(a|aa)+$', `${'a'.repeat(LONG - 1)}!`, false],
    ['^(a*)*b$', 'a'.repeat(LONG), false],
    ['^(\\w+\\s?)*$', `${'a'.repeat(LONG - 1)}!`, false],
    ['(a?){30}a{30}', 'a'.repeat(LONG), true],
    ['(?:.?){98}!', 'a'.repeat(LONG), false],
    ['^[\\p{L}\\p{M}]+$', `${'é'.repeat(LONG - 1)}!`, false],
  ])('%s on %#: answered (RegExp would backtrack for minutes) in at most cost × (length + 1) steps', (pattern, value, expected) => {
    const r = run(pattern, value);
    expect(r.answer).toBe(expected);
    expect(r.steps).toBeLessThanOrEqual(r.cost * (value.length + 1));
    // Linear: twice the value, at most twice the work (plus the start-up).
    const twice = run(pattern, value.slice(0, LONG / 2));
    expect(r.steps).toBeLessThanOrEqual(2 * twice.steps + r.cost);
  });

  it('random patterns and values (property): the steps never exceed cost × (length + 1), case-insensitive too', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\w', '\\p{L}', '(?:a|ab)', '(?:b|)');
    const quantified = fc.tuple(atom, fc.constantFrom('', '*', '+', '?', '{2}', '{0,3}')).map(([a, q]) => a + q);
    const pattern = fc.tuple(fc.boolean(), fc.array(quantified, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([bol, parts, eol]) => `${bol ? '^' : ''}${parts.join('')}${eol ? '$' : ''}`);
    fc.assert(
      fc.property(pattern, fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'é', '!'), maxLength: 12 }), fc.boolean(), (p, value, ci) => {
        const r = run(p, value, ci);
        expect(r.steps).toBeLessThanOrEqual(r.cost * (value.length + 1));
        expect(r.answer).toBe(new RegExp(p, ci ? 'iu' : 'u').test(value));
      }),
      { numRuns: 1000 },
    );
  });
});
