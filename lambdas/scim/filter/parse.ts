/**
 * SCIM filter parser (RFC 7644 §3.4.2.2, ABNF in Figure 1) and attribute-path parser (§3.10).
 *
 * Why our own parser and not `scim2-parse-filter` (evaluated against our vectors first):
 *  - it rewrites Entra's `emails[type eq "work"].value eq "x"` into `emails[type eq "work"] and
 *    emails.value eq "x"`, which matches a user whose *home* address is x and who merely *has* a
 *    work e-mail — wrong for a matching query that must find exactly one user;
 *  - it keeps URN-qualified paths as one opaque string (no split on the last `:`);
 *  - its errors are plain `Error`s without a position, and it rejects the unquoted values of
 *    Entra's old samples (`externalId eq jyoung`);
 *  - it is CommonJS with its own AST shape, so we would translate every node anyway.
 * What it did pass (case-insensitive operators, escapes, `not`, round-trip of simple filters) is
 * covered by this parser's tests too.
 *
 * Decisions beyond the RFC grammar (all for client interop, scim-clients.md §1.5, §4 #1/#17):
 *  - operators, `and`/`or`/`not`, `pr` and `true`/`false`/`null` are case-insensitive;
 *  - any whitespace separates tokens; `not(`/`eq"x"` need no space;
 *  - `attr[filter].sub op value` (Entra) becomes `attr[filter and sub op value]`: one element must
 *    satisfy both, which is what Entra means;
 *  - a bare word in value position that is not a number/keyword is a string (`externalId eq jyoung`);
 *  - valuePaths do not nest (RFC `valFilter` has no valuePath);
 *  - input is capped at MAX_FILTER_LENGTH characters and MAX_FILTER_DEPTH nested groups, so hostile
 *    input fails with 400 invalidFilter instead of exhausting the stack.
 * Every failure is `ScimError(400, 'invalidFilter')` with the 1-based character position.
 */
import { ScimError } from '../errors.js';
import type { AttrPath, CompareOperator, CompareValue, Filter } from './ast.js';

export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 32;

const TK_EOF = 0;
const TK_LP = 1;
const TK_RP = 2;
const TK_LB = 3;
const TK_RB = 4;
const TK_STR = 5;
const TK_WORD = 6;
type TokenKind = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const OPERATORS: Readonly<Record<string, CompareOperator>> = {
  eq: 'eq',
  ne: 'ne',
  co: 'co',
  sw: 'sw',
  ew: 'ew',
  gt: 'gt',
  ge: 'ge',
  lt: 'lt',
  le: 'le',
};

/** RFC 7643 §2.1 ATTRNAME (plus a leading `$` for `$ref` and `_` for leniency). */
const ATTR_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
/** JSON number (RFC 8259 §6). */
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;
}

function isDelimiter(c: number): boolean {
  // ( ) [ ] "
  return c === 40 || c === 41 || c === 91 || c === 93 || c === 34;
}

function describe(kind: TokenKind, text: string): string {
  switch (kind) {
    case TK_EOF:
      return 'end of input';
    case TK_STR:
      return 'a string';
    case TK_WORD:
      return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
    default:
      return `'${text}'`;
  }
}

/** Raised internally; the public entry points turn it into the right scimType. */
class SyntaxFailure extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Splits an attribute path token: `urn:…:User:name.givenName` → uri + attr + subAttr. The URN is
 * everything before the LAST `:` (scim-clients.md §5.1); the rest is `attr` or `attr.subAttr`.
 */
function splitAttrPath(text: string, at: number): AttrPath {
  let uri: string | undefined;
  let rest = text;
  let restAt = at;
  if (text.length > 4 && (text.charCodeAt(0) | 32) === 117 && text.slice(0, 4).toLowerCase() === 'urn:') {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
    restAt = at + colon + 1;
    if (uri.length <= 4) throw new SyntaxFailure(at, `incomplete schema URN in '${text}'`);
    if (rest === '') throw new SyntaxFailure(restAt, `missing attribute name after schema URN '${uri}'`);
  }
  const dot = rest.indexOf('.');
  const attr = dot < 0 ? rest : rest.slice(0, dot);
  if (!ATTR_NAME.test(attr)) throw new SyntaxFailure(restAt, `invalid attribute name '${attr}'`);
  if (dot < 0) return uri === undefined ? { attr } : { uri, attr };
  const subAttr = rest.slice(dot + 1);
  if (!ATTR_NAME.test(subAttr)) {
    throw new SyntaxFailure(restAt + dot + 1, `invalid sub-attribute name '${subAttr}'`);
  }
  return uri === undefined ? { attr, subAttr } : { uri, attr, subAttr };
}

class Parser {
  private pos = 0;
  private tk: TokenKind = TK_EOF;
  /** Current token kind (a method, so TypeScript does not narrow it across `advance()`). */
  cur(): TokenKind {
    return this.tk;
  }
  start = 0;
  end = 0;
  /** Word text, or the decoded string of a string token. */
  text = '';

  constructor(private readonly src: string) {
    this.advance();
  }

  advance(): void {
    const src = this.src;
    let p = this.pos;
    while (p < src.length && isSpace(src.charCodeAt(p))) p++;
    this.start = p;
    if (p >= src.length) {
      this.tk = TK_EOF;
      this.text = '';
      this.end = this.pos = p;
      return;
    }
    const c = src.charCodeAt(p);
    switch (c) {
      case 40:
        this.setPunct(TK_LP, '(', p);
        return;
      case 41:
        this.setPunct(TK_RP, ')', p);
        return;
      case 91:
        this.setPunct(TK_LB, '[', p);
        return;
      case 93:
        this.setPunct(TK_RB, ']', p);
        return;
      case 34:
        this.readString(p);
        return;
      default: {
        let q = p + 1;
        while (q < src.length) {
          const d = src.charCodeAt(q);
          if (isSpace(d) || isDelimiter(d)) break;
          q++;
        }
        this.tk = TK_WORD;
        this.text = src.slice(p, q);
        this.end = this.pos = q;
      }
    }
  }

  private setPunct(kind: TokenKind, text: string, p: number): void {
    this.tk = kind;
    this.text = text;
    this.end = this.pos = p + 1;
  }

  /** A JSON string (RFC 8259 §7): find the closing quote, decode escapes with JSON.parse. */
  private readString(p: number): void {
    const src = this.src;
    let q = p + 1;
    let escaped = false;
    for (;;) {
      if (q >= src.length) throw new SyntaxFailure(p, 'unterminated string');
      const d = src.charCodeAt(q);
      if (d === 34) break;
      if (d === 92) {
        escaped = true;
        q += 2;
        continue;
      }
      q++;
    }
    const raw = src.slice(p, q + 1);
    if (escaped) {
      try {
        this.text = JSON.parse(raw) as string;
      } catch {
        throw new SyntaxFailure(p, 'invalid escape sequence in string');
      }
    } else {
      this.text = raw.slice(1, -1);
    }
    this.tk = TK_STR;
    this.end = this.pos = q + 1;
  }

  fail(reason: string, at = this.start): never {
    throw new SyntaxFailure(at, reason);
  }

  expect(kind: TokenKind, what: string): void {
    if (this.cur() !== kind) this.fail(`expected ${what} but found ${describe(this.cur(), this.text)}`);
    this.advance();
  }

  isKeyword(word: string): boolean {
    return this.cur() === TK_WORD && this.text.length === word.length && this.text.toLowerCase() === word;
  }

  /** True when the next non-space character after the current token is `(`. */
  private followedByParen(): boolean {
    let p = this.end;
    while (p < this.src.length && isSpace(this.src.charCodeAt(p))) p++;
    return this.src.charCodeAt(p) === 40;
  }

  parseOr(depth: number, inBrackets: boolean): Filter {
    let left = this.parseAnd(depth, inBrackets);
    while (this.isKeyword('or')) {
      this.advance();
      const right = this.parseAnd(depth, inBrackets);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private parseAnd(depth: number, inBrackets: boolean): Filter {
    let left = this.parseUnary(depth, inBrackets);
    while (this.isKeyword('and')) {
      this.advance();
      const right = this.parseUnary(depth, inBrackets);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private parseUnary(depth: number, inBrackets: boolean): Filter {
    if (depth >= MAX_FILTER_DEPTH) this.fail(`filter nested deeper than ${MAX_FILTER_DEPTH} levels`);
    if (this.cur() === TK_LP) {
      this.advance();
      const inner = this.parseOr(depth + 1, inBrackets);
      this.expect(TK_RP, "')'");
      return inner;
    }
    if (this.cur() !== TK_WORD) {
      this.fail(`expected an attribute path, '(' or 'not' but found ${describe(this.cur(), this.text)}`);
    }
    if (this.isKeyword('not')) {
      if (!this.followedByParen()) this.fail("'not' must be followed by '('", this.end);
      this.advance();
      this.advance(); // '('
      const inner = this.parseOr(depth + 1, inBrackets);
      this.expect(TK_RP, "')'");
      return { kind: 'not', filter: inner };
    }
    const pathAt = this.start;
    const path = splitAttrPath(this.text, pathAt);
    this.advance();
    if (this.cur() === TK_LB) {
      if (inBrackets) this.fail('a value filter cannot contain another value filter');
      if (path.subAttr !== undefined) this.fail(`a value filter applies to an attribute, not to '${path.attr}.${path.subAttr}'`, pathAt);
      this.advance();
      const inner = this.parseOr(depth + 1, true);
      const rbEnd = this.end;
      this.expect(TK_RB, "']'");
      // Entra: `emails[type eq "work"].value eq "x"` → one element satisfies both.
      if (this.cur() === TK_WORD && this.start === rbEnd && this.text.charCodeAt(0) === 46) {
        const subAt = this.start + 1;
        const sub = this.text.slice(1);
        if (!ATTR_NAME.test(sub)) this.fail(`invalid sub-attribute name '${sub}'`, subAt);
        this.advance();
        const tail = this.parseComparison({ attr: sub });
        return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: tail } };
      }
      return { kind: 'valuePath', path, filter: inner };
    }
    return this.parseComparison(path);
  }

  /** After an attribute path: `pr` or `op value`. */
  private parseComparison(path: AttrPath): Filter {
    if (this.cur() !== TK_WORD) {
      this.fail(`expected an operator after '${printPathText(path)}' but found ${describe(this.cur(), this.text)}`);
    }
    const word = this.text.toLowerCase();
    if (word === 'pr') {
      this.advance();
      return { kind: 'present', path };
    }
    const op = OPERATORS[word];
    if (op === undefined) this.fail(`unknown operator '${this.text}' (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr)`);
    this.advance();
    const value = this.parseValue(op);
    return { kind: 'compare', op, path, value };
  }

  private parseValue(op: string): CompareValue {
    if (this.cur() === TK_STR) {
      const v = this.text;
      this.advance();
      return v;
    }
    if (this.cur() !== TK_WORD) this.fail(`expected a value after '${op}' but found ${describe(this.cur(), this.text)}`);
    const word = this.text;
    const lower = word.toLowerCase();
    let value: CompareValue;
    if (lower === 'true') value = true;
    else if (lower === 'false') value = false;
    else if (lower === 'null') value = null;
    else if (NUMBER.test(word)) value = Number(word);
    else if (lower === 'and' || lower === 'or' || lower === 'not' || lower === 'pr' || OPERATORS[lower] !== undefined) {
      this.fail(`expected a value after '${op}' but found ${describe(this.cur(), word)}`);
    } else {
      value = word; // unquoted string (old Entra sample `externalId eq jyoung`)
    }
    this.advance();
    return value;
  }
}

function printPathText(p: AttrPath): string {
  const base = p.uri === undefined ? p.attr : `${p.uri}:${p.attr}`;
  return p.subAttr === undefined ? base : `${base}.${p.subAttr}`;
}

function checkLength(text: unknown, what: string): string {
  if (typeof text !== 'string') throw new SyntaxFailure(0, `${what} must be a string`);
  if (text.length > MAX_FILTER_LENGTH) {
    throw new SyntaxFailure(MAX_FILTER_LENGTH, `${what} longer than ${MAX_FILTER_LENGTH} characters`);
  }
  return text;
}

function toScimError(e: unknown, scimType: 'invalidFilter' | 'invalidPath', what: string): never {
  if (e instanceof SyntaxFailure) {
    throw new ScimError(400, scimType, `Invalid ${what} at position ${e.position + 1}: ${e.reason}`);
  }
  if (e instanceof RangeError) {
    // Defence in depth: the depth cap should make this unreachable.
    throw new ScimError(400, scimType, `Invalid ${what}: too complex`);
  }
  throw e;
}

/** Parses a `filter` query parameter or SearchRequest `filter` (RFC 7644 §3.4.2.2). */
export function parseFilter(text: string): Filter {
  try {
    const src = checkLength(text, 'filter');
    const p = new Parser(src);
    if (p.cur() === TK_EOF) p.fail('empty filter');
    const f = p.parseOr(0, false);
    if (p.cur() !== TK_EOF) {
      p.fail(`unexpected ${describe(p.cur(), p.text)}${p.cur() === TK_WORD ? " (expected 'and', 'or' or end of filter)" : ''}`);
    }
    return f;
  } catch (e) {
    return toScimError(e, 'invalidFilter', 'filter');
  }
}

/** Parses a plain attribute path (`userName`, `name.givenName`, `urn:…:User:manager.value`). */
export function parseAttrPath(text: string): AttrPath {
  try {
    const src = checkLength(text, 'attribute path').trim();
    if (src === '') throw new SyntaxFailure(0, 'empty attribute path');
    for (let i = 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (isSpace(c) || isDelimiter(c)) throw new SyntaxFailure(i, `unexpected character '${src[i]}'`);
    }
    return splitAttrPath(src, 0);
  } catch (e) {
    return toScimError(e, 'invalidFilter', 'attribute path');
  }
}

/** What `parseValuePathExpression` returns: the PATCH `path` grammar (RFC 7644 §3.5.2). */
export interface ParsedPathExpression {
  readonly attrPath: AttrPath;
  readonly filter?: Filter;
  readonly subAttr?: string;
}

/**
 * `attrPath` / `valuePath [ "." subAttr ]`, as used by PATCH `path`. Exposed for patch/path.ts,
 * which maps failures to `invalidPath`. Throws `ScimError(400, scimType)`.
 */
export function parsePathExpression(text: string, scimType: 'invalidFilter' | 'invalidPath' = 'invalidPath'): ParsedPathExpression {
  try {
    const src = checkLength(text, 'path');
    const p = new Parser(src);
    if (p.cur() !== TK_WORD) p.fail(p.cur() === TK_EOF ? 'empty path' : `expected an attribute path but found ${describe(p.cur(), p.text)}`);
    const pathAt = p.start;
    const attrPath = splitAttrPath(p.text, pathAt);
    p.advance();
    if (p.cur() === TK_EOF) return { attrPath };
    if (p.cur() !== TK_LB) p.fail(`unexpected ${describe(p.cur(), p.text)} after attribute path`);
    if (attrPath.subAttr !== undefined) {
      p.fail(`a value filter applies to an attribute, not to '${attrPath.attr}.${attrPath.subAttr}'`, pathAt);
    }
    p.advance();
    const filter = p.parseOr(1, true);
    const rbEnd = p.end;
    p.expect(TK_RB, "']'");
    if (p.cur() === TK_EOF) return { attrPath, filter };
    if (p.cur() === TK_WORD && p.start === rbEnd && p.text.charCodeAt(0) === 46) {
      const sub = p.text.slice(1);
      if (!ATTR_NAME.test(sub)) p.fail(`invalid sub-attribute name '${sub}'`, p.start + 1);
      p.advance();
      if (p.cur() !== TK_EOF) p.fail(`unexpected ${describe(p.cur(), p.text)} after sub-attribute`);
      return { attrPath, filter, subAttr: sub };
    }
    return p.fail(`unexpected ${describe(p.cur(), p.text)} after value filter`);
  } catch (e) {
    return toScimError(e, scimType, 'path');
  }
}
