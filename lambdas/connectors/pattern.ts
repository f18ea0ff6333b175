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
 * 147 KiB minified (its Unicode tables), and the users/groups Lambdas have ~4 KiB left of their
 * 380 KiB budget (376.4 KiB in all on 2026-12-05); the WASM and native RE2 packages are larger or need a native build. The
 * pattern language is therefore a subset of JavaScript's `u`-mode syntax with the same meaning:
 * literals and escapes (`\d \w \s` and negations, `\n \t \xHH \uHHHH \u{…}`, escaped syntax
 * characters), `.`, classes `[…]` / `[^…]` with ranges, groups `(…)` `(?:…)` `(?<name>…)`,
 * alternation, `* + ? {n} {n,} {n,m}` (lazy forms too: for a yes/no answer they are the same),
 * the anchors `^` `$`, and Unicode property escapes `\p{L}` `\P{…}` `\p{Script=Greek}` (in and
 * out of classes). As in JavaScript, `\d` and `\w` are ASCII (`[0-9]`, `[A-Za-z0-9_]`): names
 * need `\p{L}`. A property is answered by V8's own Unicode tables, one character at a time (a
 * one-character `/\p{…}/u` test, constant time), so the bundle carries no tables. What cannot run
 * in linear time is refused at synth with a reason: backreferences, lookaround, `\b`, flags.
 * `test` means what `RegExp.prototype.test` means (a match anywhere; anchor with `^…$`).
 *
 * Case: a pattern compiled `caseInsensitive` (a rule on a `caseExact: false` attribute, RFC 7643
 * §2.2) matches as with the `i` flag: a character matches a set when it, its lower- or its
 * upper-case form is in it (small sets are also closed under case at compile time, so `[K]`
 * matches the Kelvin sign). Case mapping is String#toLowerCase/toUpperCase, what the filter
 * evaluator folds with.
 *
 * Cost: each input character visits each instruction of the program at most once, and tests each
 * live character set once. `LinearPattern.cost` bounds that work in steps per character, for any
 * value (`worstCase`: an anchored `^[\p{L}]{1,64}$` keeps two states alive, an unanchored
 * `(?:.?){99}!` every copy); a property test counts PROPERTY_STEP_COST. A pattern over
 * MAX_STEPS_PER_CHARACTER is refused when it is compiled (at synth), so the worst value of the
 * worst accepted pattern stays within a known time (test/bench/patterns.ts measures it).
 */

/** Inclusive code point ranges, sorted and merged. */
type Ranges = readonly (readonly [number, number])[];

/** A Unicode property escape: `\p{…}` (neg false) or `\P{…}`. */
interface Property {
  readonly re: RegExp;
  readonly neg: boolean;
  /** The answers for ASCII, looked up instead of tested (1 = has the property). */
  readonly ascii: Uint8Array;
}

function property(name: string, neg: boolean): Property {
  const re = new RegExp(`\\p{${name}}`, 'u');
  const ascii = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) ascii[cp] = re.test(String.fromCharCode(cp)) ? 1 : 0;
  return { re, neg, ascii };
}

/** What one character position accepts: ranges or properties, negated as a whole for `[^…]`. */
interface CharSet {
  readonly r: Ranges;
  readonly props: readonly Property[];
  readonly neg: boolean;
}

type Node =
  | { readonly t: 'set'; readonly s: CharSet }
  | { readonly t: 'cat'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly items: readonly Node[] }
  | { readonly t: 'rep'; readonly n: Node; readonly min: number; readonly max: number }
  | { readonly t: 'bol' }
  | { readonly t: 'eol' };

/** A repetition count above this is refused (RE2's limit). */
export const MAX_REPEAT = 1000;
/** NFA states a pattern may compile to (stops a `{1000}` expansion early, before the cost check). */
export const MAX_STATES = 1000;
/** Steps a property test counts for (a one-character RegExp test costs ~20 instruction visits). */
export const PROPERTY_STEP_COST = 20;
/**
 * The most a pattern may cost per input character, in steps (LinearPattern.cost). At this bound
 * the worst value of 8,192 characters (the longest SCIM string) takes ~30-45 ms on a busy 2-core
 * machine, where the old limit let `(?:.?){490}!` take ~134 ms (test/bench/patterns.ts prints the
 * figures); anchored validation patterns cost a few dozen steps (`^[A-Z]{2}[0-9]{4}$` 4, the
 * e-mail check 33, `^[\p{L}\p{M}' -]{1,64}$` 46).
 */
export const MAX_STEPS_PER_CHARACTER = 300;

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/** A pattern that compiles but whose worst case is over MAX_STEPS_PER_CHARACTER. */
export class PatternCostError extends PatternError {
  constructor(readonly cost: number) {
    super(
      `costs up to ${cost} steps per character of a value, over the limit of ${MAX_STEPS_PER_CHARACTER} (each copy of a repeated part counts: {n,m} repeats it m times, and an unanchored pattern keeps every copy alive): use fewer or smaller bounded repeats (a maxLength rule can bound the length instead of .{0,500}), or * and + in place of large {n,m}`,
    );
    this.name = 'PatternCostError';
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

/** A set of at most this many code points is closed under case when compiled case-insensitive. */
const CASE_CLOSE_MAX = 0x3000;

/** The single code point `cp` maps to (lower or upper case), or `cp` when the mapping is longer (ß → SS). */
function mapped(cp: number, upper: boolean): number {
  const ch = String.fromCodePoint(cp);
  const m = upper ? ch.toUpperCase() : ch.toLowerCase();
  const out = m.codePointAt(0)!;
  return m.length === (out > 0xffff ? 2 : 1) ? out : cp;
}

/** `ranges` plus the lower- and upper-case forms of their code points (small sets only). */
function caseClose(ranges: Ranges): Ranges {
  let size = 0;
  for (const [lo, hi] of ranges) size += hi - lo + 1;
  if (size > CASE_CLOSE_MAX) return ranges;
  const extra: [number, number][] = [];
  for (const [lo, hi] of ranges) {
    for (let cp = lo; cp <= hi; cp++) {
      for (const m of [mapped(cp, false), mapped(cp, true), mapped(mapped(cp, true), false)]) if (m !== cp) extra.push([m, m]);
    }
  }
  return extra.length === 0 ? ranges : normalize([...ranges, ...extra]);
}

class Parser {
  private i = 0;
  private readonly cps: number[];

  constructor(
    source: string,
    private readonly caseInsensitive: boolean,
  ) {
    this.cps = Array.from(source, (c) => c.codePointAt(0)!);
  }

  private set(r: Ranges, props: readonly Property[] = [], neg = false): Node {
    return { t: 'set', s: { r: this.caseInsensitive ? caseClose(r) : r, props, neg } };
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
        return this.set(DOT);
      case '^':
        this.i++;
        return { t: 'bol' };
      case '$':
        this.i++;
        return { t: 'eol' };
      case '\\': {
        this.i++;
        const e = this.escape(false);
        return typeof e === 'number' ? this.set([[e, e]]) : isProperty(e) ? this.set([], [e]) : this.set(e);
      }
      case '*':
      case '+':
      case '?':
      case '{':
        throw this.fail('nothing to repeat');
      case ']':
      case '}':
        throw this.fail(`lone "${c}"`);
      default: {
        this.i++;
        const cp = this.cps[this.i - 1]!;
        return this.set([[cp, cp]]);
      }
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

  /** After `\`: a code point, a set for `\d \w \s` and their negations, or a property. */
  private escape(inClass: boolean): number | Ranges | Property {
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
    if (c === 'p' || c === 'P') {
      // The name was checked by V8 with the whole pattern (`u` flag): a valid property or value.
      if (this.peek() !== '{') throw this.fail('invalid property name', at);
      this.i++;
      const name = this.take(/^[A-Za-z0-9_=]$/);
      if (this.peek() !== '}') throw this.fail('invalid property name', at);
      this.i++;
      return property(name, c === 'P');
    }
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

  private classAtom(): number | Ranges | Property {
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
    const props: Property[] = [];
    while (this.peek() !== ']') {
      const lo = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== 'number' || typeof hi !== 'number') throw this.fail('a class escape cannot bound a range');
        if (hi < lo) throw this.fail('range out of order in character class');
        ranges.push([lo, hi]);
      } else if (typeof lo === 'number') ranges.push([lo, lo]);
      else if (isProperty(lo)) props.push(lo);
      else ranges.push(...lo);
    }
    this.i++; // ]
    const set = normalize(ranges);
    // `[^…]` negates after case closure (as the `i` flag does): `[^a]` refuses `A` too.
    if (props.length === 0 && !this.caseInsensitive) return this.set(negated ? negate(set) : set);
    return this.set(set, props, negated);
  }
}

function isProperty(e: Ranges | Property): e is Property {
  return !Array.isArray(e);
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
  s?: CharSet;
}

class Compiler {
  readonly prog: Inst[] = [];

  private emit(op: Op, s?: CharSet): number {
    if (this.prog.length >= MAX_STATES) throw new PatternError(`pattern too large: more than ${MAX_STATES} states`);
    this.prog.push({ op, x: -1, y: -1, ...(s ? { s } : {}) });
    return this.prog.length - 1;
  }

  compile(n: Node): void {
    switch (n.t) {
      case 'set':
        this.emit(Op.Set, n.s);
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
  let lo = 0;
  let hi = r.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = r[mid]!;
    if (cp < range[0]) hi = mid - 1;
    else if (cp > range[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Whether `cp` is in the set's ranges or properties, before the set's own negation. */
function hit(s: CharSet, cp: number): boolean {
  if (inRanges(s.r, cp)) return true;
  if (s.props.length === 0) return false;
  if (cp < 0x80) {
    for (const p of s.props) if ((p.ascii[cp] === 1) !== p.neg) return true;
    return false;
  }
  const ch = String.fromCodePoint(cp);
  for (const p of s.props) if (p.re.test(ch) !== p.neg) return true;
  return false;
}

/** Steps of testing a set: one, plus PROPERTY_STEP_COST per property. */
const testCost = (inst: Inst): number => 1 + inst.s!.props.length * PROPERTY_STEP_COST;

/**
 * The most steps `test` can take on one character of any value: `test` run on an abstract input
 * where every character matches every set and every position may be the end. The live states of a
 * real run are always among the abstract run's, so its per-character work (instructions visited
 * plus sets tested) bounds the real one. The abstract run is deterministic over sets of states,
 * so it repeats: followed until it does (at most `limit` characters, else the loose bound —
 * every instruction and every set once per character).
 */
function worstCase(prog: readonly Inst[], limit = 2000): number {
  const loose = prog.reduce((n, inst) => n + 1 + (inst.s ? testCost(inst) : 0), 0);
  const closure = (starts: readonly number[], first: boolean) => {
    const visited = new Set<number>();
    const stack = [...starts];
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (visited.has(pc)) continue;
      visited.add(pc);
      const inst = prog[pc]!;
      if (inst.op === Op.Jmp) stack.push(inst.x);
      else if (inst.op === Op.Split) stack.push(inst.x, inst.y);
      else if (inst.op === Op.Eol || (inst.op === Op.Bol && first)) stack.push(pc + 1);
    }
    return visited;
  };
  const setsOf = (visited: Set<number>) => [...visited].filter((pc) => prog[pc]!.op === Op.Set).sort((a, b) => a - b);
  const start = closure([0], true);
  let worst = start.size;
  let live = setsOf(start);
  const seen = new Set<string>();
  for (let k = 0; k < limit; k++) {
    const key = live.join(',');
    if (seen.has(key)) return worst;
    seen.add(key);
    const visited = closure([...live.map((pc) => pc + 1), 0], false);
    worst = Math.max(worst, live.reduce((n, pc) => n + testCost(prog[pc]!), 0) + visited.size);
    live = setsOf(visited);
  }
  return loose;
}

/** A compiled pattern: `test` runs in time linear in the value's length. */
export class LinearPattern {
  private readonly prog: readonly Inst[];
  /** Worst-case steps per input character (see the module comment); at most MAX_STEPS_PER_CHARACTER. */
  readonly cost: number;

  constructor(
    readonly source: string,
    readonly caseInsensitive = false,
  ) {
    try {
      new RegExp(source, 'u'); // only parsed, never run: the same syntax and meaning as JavaScript
    } catch (e) {
      // V8: "Invalid regular expression: /<source>/u: <reason>": the reason is what helps.
      const message = (e as Error).message;
      const at = message.lastIndexOf('/u: ');
      throw new PatternError(`invalid regular expression: ${at >= 0 ? message.slice(at + 4) : message}`);
    }
    const c = new Compiler();
    c.compile(new Parser(source, caseInsensitive).parse());
    c.prog.push({ op: Op.Match, x: -1, y: -1 });
    this.prog = c.prog;
    this.cost = worstCase(c.prog);
    if (this.cost > MAX_STEPS_PER_CHARACTER) throw new PatternCostError(this.cost);
  }

  /**
   * Whether the pattern matches somewhere in `value` (RegExp.prototype.test with the `u` flag,
   * and `i` when compiled caseInsensitive). `steps`, when given, is increased by the instructions
   * visited and the sets tested (what `cost` bounds per character).
   */
  test(value: string, steps?: { n: number }): boolean {
    const prog = this.prog;
    const size = prog.length;
    const ci = this.caseInsensitive;
    let current = new Int32Array(size);
    let next = new Int32Array(size);
    let count = 0;
    let nextCount = 0;
    const seen = new Int32Array(size).fill(-1);
    const stack = new Int32Array(size * 2 + 2);
    const end = value.length;
    let step = 0;
    let visits = 0;

    // Follows jumps, splits and anchors from `start` at string index `at`; appends the character
    // states to `next`. True when the match state is reached.
    const add = (start: number, at: number): boolean => {
      let top = 0;
      stack[top++] = start;
      while (top > 0) {
        const pc = stack[--top]!;
        if (seen[pc] === step) continue;
        seen[pc] = step;
        visits++;
        const inst = prog[pc]!;
        switch (inst.op) {
          case Op.Match:
            return true;
          case Op.Set:
            next[nextCount++] = pc;
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
      return false;
    };
    const done = (matched: boolean): boolean => {
      if (steps) steps.n += visits;
      return matched;
    };

    if (add(0, 0)) return done(true);
    for (let at = 0; at < end; ) {
      const swap = current;
      current = next;
      next = swap;
      count = nextCount;
      nextCount = 0;
      const cp = value.codePointAt(at)!;
      const after = at + (cp > 0xffff ? 2 : 1);
      // Case-insensitive: the character's other case forms (ASCII without a string).
      let lower = cp;
      let upper = cp;
      if (ci) {
        if (cp < 0x80) {
          if (cp >= 0x41 && cp <= 0x5a) lower = cp + 32;
          else if (cp >= 0x61 && cp <= 0x7a) upper = cp - 32;
        } else {
          lower = mapped(cp, false);
          upper = mapped(cp, true);
        }
      }
      step++;
      for (let k = 0; k < count; k++) {
        const pc = current[k]!;
        const s = prog[pc]!.s!;
        visits++;
        const yes = (hit(s, cp) || (lower !== cp && hit(s, lower)) || (upper !== cp && hit(s, upper))) !== s.neg;
        if (yes && add(pc + 1, after)) return done(true);
      }
      // Unanchored search: a match may also start at the next character.
      if (add(0, after)) return done(true);
      at = after;
    }
    return done(false);
  }
}

/**
 * Compiles a pattern; throws PatternError naming what is wrong or not supported, PatternCostError
 * when its worst case is over MAX_STEPS_PER_CHARACTER. `caseInsensitive`: for a rule on a
 * `caseExact: false` attribute.
 */
export function compilePattern(source: string, options: { caseInsensitive?: boolean } = {}): LinearPattern {
  return new LinearPattern(source, options.caseInsensitive ?? false);
}
