/**
 * Group PATCH planning (RFC 7644 §3.5.2 on the Group `members` attribute) WITHOUT the current
 * member list: member operations fold into add/remove sets (or "replace all"), so a PATCH on a
 * 100k-member group costs one item write per changed member (DESIGN.md). Everything that is not
 * about members is returned as attribute operations for applyPatch.
 *
 * Shapes (scim-clients.md §1.9, §2.9, §3 rows 16–18, 35, 36; §4 #3, #21):
 *  - `add members [..]` → add those ids;
 *  - `remove members` WITH a value (Entra's default dialect) → remove only the listed ids, never
 *    everything (§4 #3); an empty list removes nothing;
 *  - `remove members` without a value (RFC 7644 §3.5.2.2) → remove all;
 *  - `remove members[value eq "id"]` (also `or`-joined value eqs) → remove those ids; any other
 *    member filter (`members[display eq "x"]`) cannot be answered without reading the members
 *    → 400 invalidFilter;
 *  - `replace members [..]` (Okta) and a path-less add/replace whose value has `members` → replace
 *    all / add; other keys of that value (Okta's `{"id", "displayName"}`) stay an attribute op, and
 *    applyPatch ignores an `id` equal to the resource's;
 *  - a member is `{"value": id, "display"?, "type"?, "$ref"?}` or a bare id string. `type` (else
 *    the `/Users/` or `/Groups/` of `$ref`) is only a hint: clients fill both carelessly, so the
 *    store resolves what the id really is (RFC 7643 §4.2: `type` is the member's type, which only
 *    the server knows for certain) and answers `type`/`$ref` from that.
 * Operations fold in order: add x then remove x → x removed; remove all then add y → exactly {y}.
 */
import { ScimError } from '../errors.js';
import { MAX_MEMBERS_PER_REQUEST } from '../limits.js';
import { collect, eqIgnoreCase, findKey, isObject, resolveAttribute } from '../filter/access.js';
import type { Filter } from '../filter/ast.js';
import { parseAttrPath } from '../filter/parse.js';
import { printFilter } from '../filter/print.js';
import type { ResourceSchema } from '../schema/resource-schema.js';
import type { MemberChanges, MemberRef, PatchOpName, PatchOperation, PatchPath } from './types.js';

class MemberPlan {
  replaceAll = false;
  touched = false;
  readonly add = new Map<string, MemberRef>();
  readonly remove = new Set<string>();
  /** Member values named by the request so far (MAX_MEMBERS_PER_REQUEST, limits.ts). */
  private named = 0;

  count(n: number): void {
    this.named += n;
    if (this.named > MAX_MEMBERS_PER_REQUEST)
      throw new ScimError(400, 'tooMany', `Too many member values in one request (at most ${MAX_MEMBERS_PER_REQUEST})`);
  }

  addAll(refs: readonly MemberRef[]): void {
    this.count(refs.length);
    this.touched = true;
    for (const ref of refs) {
      this.remove.delete(ref.value);
      this.add.set(ref.value, ref);
    }
  }

  removeIds(ids: readonly string[]): void {
    this.count(ids.length);
    this.touched = true;
    for (const id of ids) {
      this.add.delete(id);
      if (!this.replaceAll) this.remove.add(id);
    }
  }

  replaceWith(refs: readonly MemberRef[]): void {
    this.count(refs.length);
    this.touched = true;
    this.replaceAll = true;
    this.add.clear();
    this.remove.clear();
    for (const ref of refs) this.add.set(ref.value, ref);
  }

  result(): MemberChanges | undefined {
    return this.touched ? { replaceAll: this.replaceAll, add: this.add, remove: this.remove } : undefined;
  }
}

function invalidValue(detail: string): never {
  throw new ScimError(400, 'invalidValue', detail);
}

/** The kind a member object claims: its `type`, else the resource endpoint its `$ref` names. */
function memberTypeHint(item: Record<string, unknown>): MemberRef['type'] {
  const tk = findKey(item, 'type');
  const t = tk === undefined ? undefined : item[tk];
  if (typeof t === 'string') {
    if (eqIgnoreCase(t, 'user')) return 'User';
    if (eqIgnoreCase(t, 'group')) return 'Group';
  }
  const rk = findKey(item, '$ref');
  const ref = rk === undefined ? undefined : item[rk];
  if (typeof ref !== 'string') return undefined;
  const m = /\/(Users|Groups)\/[^/]+\/?$/i.exec(ref);
  return m ? (eqIgnoreCase(m[1] as string, 'users') ? 'User' : 'Group') : undefined;
}

/** `[{value, display?, type?, $ref?}]`, one such object, or bare id strings → refs (`type`: a hint). */
export function memberRefs(value: unknown, where = 'members'): MemberRef[] {
  const out: MemberRef[] = [];
  for (const item of collect(value)) {
    if (item === '') continue;
    if (typeof item === 'string') {
      out.push({ value: item });
      continue;
    }
    if (!isObject(item)) invalidValue(`Each of '${where}' must be an object with a "value" (a member id)`);
    const vk = findKey(item, 'value');
    const v = vk === undefined ? undefined : item[vk];
    if (typeof v !== 'string' || v === '') invalidValue(`Each of '${where}' needs a non-empty string "value" (the member's id)`);
    const type = memberTypeHint(item);
    const dk = findKey(item, 'display');
    const d = dk === undefined ? undefined : item[dk];
    out.push({ value: v, ...(type ? { type } : {}), ...(typeof d === 'string' && d !== '' ? { display: d } : {}) });
  }
  return out;
}

/** `value eq "a"` / `value eq "a" or value eq "b"` → ["a", "b"]; anything else → 400 invalidFilter. */
function filterIds(f: Filter, whole: Filter): string[] {
  if (f.kind === 'or') return [...filterIds(f.left, whole), ...filterIds(f.right, whole)];
  if (
    f.kind === 'compare' &&
    f.op === 'eq' &&
    f.path.uri === undefined &&
    f.path.subAttr === undefined &&
    eqIgnoreCase(f.path.attr, 'value') &&
    (typeof f.value === 'string' || typeof f.value === 'number') &&
    f.value !== ''
  ) {
    return [String(f.value)];
  }
  throw new ScimError(
    400,
    'invalidFilter',
    `Unsupported member filter 'members[${printFilter(whole)}]': only 'members[value eq "<id>"]', optionally joined by 'or', can select members`,
  );
}

export function planGroupPatch(
  rs: ResourceSchema,
  ops: readonly PatchOperation[],
): { attributeOps: PatchOperation[]; members: MemberChanges | undefined } {
  const plan = new MemberPlan();
  const attributeOps: PatchOperation[] = [];
  const isMembers = (attrPath: PatchPath['attrPath']): boolean => {
    const r = resolveAttribute(rs, attrPath);
    return r !== undefined && !r.isExtension && eqIgnoreCase(r.attribute.name, 'members');
  };

  for (const op of ops) {
    if (op.path) {
      if (!isMembers(op.path.attrPath)) {
        attributeOps.push(op);
        continue;
      }
      memberOp(plan, op.op, op.path, op.value);
      continue;
    }
    // Path-less add/replace: pull `members` out of the value, keep the rest as an attribute op.
    if (!isObject(op.value)) {
      attributeOps.push(op);
      continue;
    }
    const rest: Record<string, unknown> = {};
    let restCount = 0;
    for (const [key, v] of Object.entries(op.value)) {
      let member = false;
      try {
        member = isMembers(parseAttrPath(key));
      } catch {
        member = false;
      }
      if (member) {
        memberOp(plan, op.op, { attrPath: { attr: 'members' } }, v);
      } else {
        rest[key] = v;
        restCount++;
      }
    }
    if (restCount > 0) attributeOps.push(restCount === Object.keys(op.value).length ? op : { op: op.op, value: rest });
  }
  return { attributeOps, members: plan.result() };
}

function memberOp(plan: MemberPlan, op: PatchOpName, path: PatchPath, value: unknown): void {
  if (path.attrPath.subAttr !== undefined) {
    throw new ScimError(400, 'invalidPath', `'members.${path.attrPath.subAttr}' cannot be patched; add or remove members instead`);
  }
  if (path.filter) {
    if (op !== 'remove') {
      throw new ScimError(400, 'invalidPath', `"${op}" on a filtered 'members[…]' path is not supported; add or remove members instead`);
    }
    if (path.subAttr !== undefined) return; // `remove members[…].display`: no membership change
    plan.removeIds(filterIds(path.filter, path.filter));
    return;
  }
  switch (op) {
    case 'add':
      plan.addAll(memberRefs(value));
      return;
    case 'replace':
      plan.replaceWith(value === null || value === '' ? [] : memberRefs(value));
      return;
    case 'remove':
      if (value === undefined || value === null) plan.replaceWith([]);
      else plan.removeIds(memberRefs(value).map((r) => r.value));
      return;
  }
}
