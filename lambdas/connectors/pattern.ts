/**
 * Linear-time patterns for configured `accept: { "pattern": … }` rules (profile configuration).
 *
 * A pattern comes from cdk.json and runs on values an identity provider sends. JavaScript's RegExp
 * backtracks: `^(a+)+$` on `"a".repeat(40) + "!"` would keep a Lambda busy until it times out. So
 * patterns are never run by RegExp: they are compiled here to a Thompson NFA and simulated state
 * set by state set (each input character advances every live state once), which answers in
 * O(states × value length) whatever the pattern and the value.
 *
 * Why hand-written: Node has no RE2. `re2js`, the maintained pure-JS port of RE2, bundles to
 * 147 KiB minified (its Unicode tables), and the users/groups Lambdas have 36 KiB left of their
 * 380 KiB budget; the WASM and native RE2 packages are larger or need a native build. The
 * pattern language is therefore a subset of JavaScript's `u`-mode syntax with the same meaning:
 * literals and escapes (`\d \w \s` and negations, `\n \t \xHH \uHHHH \u{…}`, escaped syntax
 * characters), `.`, classes `[…]` / `[^…]` with ranges, groups `(…)` `(?:…)` `(?<name>…)`,
 * alternation, `* + ? {n} {n,} {n,m}` (lazy forms too: for a yes/no answer they are the same),
 * and the anchors `^` `$`. What cannot run in linear time or needs Unicode tables is refused at
 * synth with a reason: backreferences, lookaround, `\b`, `\p{…}`, flags. `test` means what
 * `RegExp.prototype.test` means (a match anywhere; anchor with `^…$` for the whole value).
 */

/** Inclusive code point ranges, sorted and merged. */
type Ranges = readonly (readonly [number, number])[];

type Node =
  | { readonly t: 'set'; readonly r: Ranges }
  | { readonly t: 'cat'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly items: readonly Node[] }
  | { readonly t: 'rep'; readonly n: Node; readonly min: number; readonly max: number }
  | { readonly t: 'bol' }
  | { readonly t: 'eol' };

/** A repetition count above this is refused (RE2's limit). */
export const MAX_REPEAT = 1000;
/**
 * NFA states a pattern may compile to. Matching costs at most states × characters, and a request
 * carries at most 1 MiB of values, so this bounds the worst case of a rule; validation patterns
 * take a few dozen states.
 */
export const MAX_STATES = 1000;

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const MAX_CP = 0x10ffff;

function normalize(ranges: readonly (readonly [number, number])[]): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function negate(ranges: Ranges): Ranges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

// `@__PURE__` on the computed tables: a bundle that imports this module only for PatternError
// (the discovery function, through rules.ts) drops them.
const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
// WhiteSpace and LineTerminator of ECMAScript, what `\s` matches.
const SPACE: Ranges = /* @__PURE__ */ normalize([[0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]]);
// `.` without the `s` flag: anything but a line terminator.
const DOT: Ranges = /* @__PURE__ */ negate([[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]]);

const CLASS_ESCAPES: Readonly<Record<string, Ranges>> = { d: DIGIT, D: /* @__PURE__ */ negate(DIGIT), w: WORD, W: /* @__PURE__ */ negate(WORD), s: SPACE, S: /* @__PURE__ */ negate(SPACE) };
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b };
const SYNTAX = /* @__PURE__ */ new Set('^$\\.*+?()[]{}|/');

const one = (cp: number): Node => ({ t: 'set', r: [[cp, cp]] });

class Parser {
  private i = 0;
  private readonly cps: number[];

  constructor(source: string) {
    this.cps = Array.from(source, (c) => c.codePointAt(0)!);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.i + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  /** `at`: a code point index; reported 1-based, as a person counts characters. */
  private fail(message: string, at = this.i): PatternError {
    return new PatternError(`${message} (character ${at + 1})`);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.cps.length) throw this.fail(`unexpected "${this.peek()}"`);
    return node;
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) items.push(this.repetition());
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private repetition(): Node {
    const start = this.i;
    const atom = this.atom();
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') [min, max] = this.braces();
    else return atom;
    if (atom.t === 'bol' || atom.t === 'eol') {
      this.i = start;
      throw this.fail('nothing to repeat');
    }
    if (c !== '{') this.i++;
    if (this.peek() === '?') this.i++; // lazy: the same yes/no answer
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || next === '{') throw this.fail('nothing to repeat');
    return { t: 'rep', n: atom, min, max };
  }

  /** Consumes characters while `ok`, up to `max` of them. */
  private take(ok: RegExp, max = Infinity): string {
    let text = '';
    while (text.length < max && ok.test(this.peek() ?? '')) {
      text += this.peek();
      this.i++;
    }
    return text;
  }

  private number(): number | undefined {
    const digits = this.take(/^[0-9]$/);
    return digits === '' ? undefined : Number(digits);
  }

  private braces(): [number, number] {
    this.i++; // {
    const min = this.number();
    if (min === undefined) throw this.fail('incomplete quantifier');
    let max = min;
    if (this.peek() === ',') {
      this.i++;
      max = this.number() ?? Infinity;
    }
    if (this.peek() !== '}') throw this.fail('incomplete quantifier');
    this.i++;
    if (max < min) throw this.fail('numbers out of order in {} quantifier');
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw this.fail(`repeat count above ${MAX_REPEAT}`);
    return [min, max];
  }

  private atom(): Node {
    const c = this.peek()!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '.':
        this.i++;
        return { t: 'set', r: DOT };
      case '^':
        this.i++;
        return { t: 'bol' };
      case '$':
        this.i++;
        return { t: 'eol' };
      case '\\': {
        this.i++;
        const e = this.escape(false);
        return typeof e === 'number' ? one(e) : { t: 'set', r: e };
      }
      case '*':
      case '+':
      case '?':
      case '{':
        throw this.fail('nothing to repeat');
      case ']':
      case '}':
        throw this.fail(`lone "${c}"`);
      default:
        this.i++;
        return one(this.cps[this.i - 1]!);
    }
  }

  private group(): Node {
    const start = this.i;
    this.i++; // (
    if (this.peek() === '?') {
      const kind = this.peek(1);
      if (kind === ':') this.i += 2;
      else if (kind === '<' && this.peek(2) !== '=' && this.peek(2) !== '!') {
        // Named group: the name only matters for captures, which a yes/no match does not have.
        while (this.peek() !== undefined && this.peek() !== '>') this.i++;
        if (this.peek() !== '>') throw this.fail('unterminated group name');
        this.i++;
      } else if (kind === '=' || kind === '!' || kind === '<') throw this.fail('lookaround is not supported (patterns run in linear time)', start);
      else throw this.fail('group modifiers are not supported', start);
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw this.fail('unterminated group');
    this.i++;
    return inner;
  }

  /** After `\`: a code point, or a set for `\d \w \s` and their negations. */
  private escape(inClass: boolean): number | Ranges {
    const at = this.i - 1; // the backslash
    const c = this.peek();
    if (c === undefined) throw this.fail('\\ at end of pattern');
    this.i++;
    const set = CLASS_ESCAPES[c];
    if (set) return set;
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (c === '0' && !/^[0-9]$/.test(this.peek() ?? '')) return 0;
    if (c === 'x') return this.hex(2, 2);
    if (c === 'u') return this.unicodeEscape();
    if (SYNTAX.has(c) || (inClass && c === '-')) return c.codePointAt(0)!;
    if (inClass && c === 'b') return 0x08;
    if (c === 'b' || c === 'B') throw this.fail('word boundaries (\\b, \\B) are not supported', at);
    if (/^[1-9]$/.test(c) || c === 'k') throw this.fail('backreferences are not supported (patterns run in linear time)', at);
    if (c === 'p' || c === 'P') throw this.fail('Unicode property escapes (\\p{…}) are not supported', at);
    throw this.fail(`unsupported escape "\\${c}"`, at);
  }

  private hex(min: number, max: number): number {
    const digits = this.take(/^[0-9A-Fa-f]$/, max);
    if (digits.length < min) throw this.fail('invalid hexadecimal escape');
    return parseInt(digits, 16);
  }

  private unicodeEscape(): number {
    if (this.peek() === '{') {
      this.i++;
      const cp = this.hex(1, 6);
      if (this.peek() !== '}' || cp > MAX_CP) throw this.fail('invalid Unicode escape');
      this.i++;
      return cp;
    }
    const cp = this.hex(4, 4);
    // `\uD83D\uDE00`: in `u` mode a surrogate pair written as two escapes is one code point.
    if (cp >= 0xd800 && cp <= 0xdbff && this.peek() === '\\' && this.peek(1) === 'u') {
      const save = this.i;
      this.i += 2;
      const digits = this.take(/^[0-9A-Fa-f]$/, 4);
      const lo = digits.length === 4 ? parseInt(digits, 16) : -1;
      if (lo >= 0xdc00 && lo <= 0xdfff) return (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
      this.i = save;
    }
    return cp;
  }

  private classAtom(): number | Ranges {
    const c = this.peek();
    if (c === undefined) throw this.fail('unterminated character class');
    this.i++;
    return c === '\\' ? this.escape(true) : this.cps[this.i - 1]!;
  }

  private characterClass(): Node {
    this.i++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const ranges: (readonly [number, number])[] = [];
    while (this.peek() !== ']') {
      const lo = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== 'number' || typeof hi !== 'number') throw this.fail('a class escape cannot bound a range');
        if (hi < lo) throw this.fail('range out of order in character class');
        ranges.push([lo, hi]);
      } else if (typeof lo === 'number') ranges.push([lo, lo]);
      else ranges.push(...lo);
    }
    this.i++; // ]
    const set = normalize(ranges);
    return { t: 'set', r: negated ? negate(set) : set };
  }
}

// ------------------------------------------------------------------ NFA program

// Instruction codes (plain numbers: no enum object in the bundle).
const Op = { Set: 0, Split: 1, Jmp: 2, Bol: 3, Eol: 4, Match: 5 } as const;
type Op = (typeof Op)[keyof typeof Op];

interface Inst {
  op: Op;
  /** Split: first target; Jmp: target. */
  x: number;
  /** Split: second target. */
  y: number;
  r?: Ranges;
}

class Compiler {
  readonly prog: Inst[] = [];

  private emit(op: Op, r?: Ranges): number {
    if (this.prog.length >= MAX_STATES) throw new PatternError(`pattern too large: more than ${MAX_STATES} states`);
    this.prog.push({ op, x: -1, y: -1, ...(r ? { r } : {}) });
    return this.prog.length - 1;
  }

  compile(n: Node): void {
    switch (n.t) {
      case 'set':
        this.emit(Op.Set, n.r);
        return;
      case 'bol':
        this.emit(Op.Bol);
        return;
      case 'eol':
        this.emit(Op.Eol);
        return;
      case 'cat':
        for (const item of n.items) this.compile(item);
        return;
      case 'alt': {
        // split L1, next; L1: a; jmp end; next: split L2, … ; last alternative falls through.
        const jumps: number[] = [];
        n.items.forEach((item, k) => {
          if (k < n.items.length - 1) {
            const split = this.emit(Op.Split);
            this.prog[split]!.x = split + 1;
            this.compile(item);
            jumps.push(this.emit(Op.Jmp));
            this.prog[split]!.y = this.prog.length;
          } else this.compile(item);
        });
        for (const j of jumps) this.prog[j]!.x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.compile(n.n);
        if (n.max === Infinity) {
          const split = this.emit(Op.Split);
          this.prog[split]!.x = split + 1;
          this.compile(n.n);
          this.prog[this.emit(Op.Jmp)]!.x = split;
          this.prog[split]!.y = this.prog.length;
          return;
        }
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.emit(Op.Split);
          this.prog[split]!.x = split + 1;
          splits.push(split);
          this.compile(n.n);
        }
        for (const s of splits) this.prog[s]!.y = this.prog.length;
      }
    }
  }
}

function inRanges(r: Ranges, cp: number): boolean {
  for (const [lo, hi] of r) {
    if (cp < lo) return false;
    if (cp <= hi) return true;
  }
  return false;
}

/** A compiled pattern: `test` runs in time linear in the value's length. */
export class LinearPattern {
  /** Which engine answers (the tests assert it is not a backtracking one). */
  readonly engine = 'nfa-simulation';
  private readonly prog: readonly Inst[];

  constructor(readonly source: string) {
    try {
      new RegExp(source, 'u'); // only parsed, never run: the same syntax and meaning as JavaScript
    } catch (e) {
      // V8: "Invalid regular expression: /<source>/u: <reason>": the reason is what helps.
      const message = (e as Error).message;
      const at = message.lastIndexOf('/u: ');
      throw new PatternError(`invalid regular expression: ${at >= 0 ? message.slice(at + 4) : message}`);
    }
    const c = new Compiler();
    c.compile(new Parser(source).parse());
    c.prog.push({ op: Op.Match, x: -1, y: -1 });
    this.prog = c.prog;
  }

  /** Whether the pattern matches somewhere in `value` (RegExp.prototype.test with the `u` flag). */
  test(value: string): boolean {
    const prog = this.prog;
    const size = prog.length;
    let current = new Int32Array(size);
    let next = new Int32Array(size);
    let count = 0;
    let nextCount = 0;
    const seen = new Int32Array(size).fill(-1);
    const stack = new Int32Array(size * 2 + 2);
    const end = value.length;
    let step = 0;

    // Follows jumps, splits and anchors from `pc` at string index `at`; adds the character
    // states to `list`. True when the match state is reached.
    const add = (list: Int32Array, length: number, start: number, at: number): [number, boolean] => {
      let top = 0;
      stack[top++] = start;
      while (top > 0) {
        const pc = stack[--top]!;
        if (seen[pc] === step) continue;
        seen[pc] = step;
        const inst = prog[pc]!;
        switch (inst.op) {
          case Op.Match:
            return [length, true];
          case Op.Set:
            list[length++] = pc;
            break;
          case Op.Jmp:
            stack[top++] = inst.x;
            break;
          case Op.Split:
            stack[top++] = inst.y;
            stack[top++] = inst.x;
            break;
          case Op.Bol:
            if (at === 0) stack[top++] = pc + 1;
            break;
          case Op.Eol:
            if (at === end) stack[top++] = pc + 1;
            break;
        }
      }
      return [length, false];
    };

    let matched: boolean;
    [count, matched] = add(current, 0, 0, 0);
    if (matched) return true;
    for (let at = 0; at < end; ) {
      const cp = value.codePointAt(at)!;
      const after = at + (cp > 0xffff ? 2 : 1);
      step++;
      nextCount = 0;
      for (let k = 0; k < count; k++) {
        const pc = current[k]!;
        if (inRanges(prog[pc]!.r!, cp)) {
          [nextCount, matched] = add(next, nextCount, pc + 1, after);
          if (matched) return true;
        }
      }
      // Unanchored search: a match may also start at the next character.
      [nextCount, matched] = add(next, nextCount, 0, after);
      if (matched) return true;
      [current, next] = [next, current];
      count = nextCount;
      at = after;
    }
    return false;
  }
}

/** Compiles a pattern; throws PatternError naming what is wrong or not supported. */
export function compilePattern(source: string): LinearPattern {
  return new LinearPattern(source);
}
