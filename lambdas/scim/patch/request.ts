/**
 * PatchOp message validation (RFC 7644 §3.5.2). Lenient where real clients differ, strict where a
 * mistake would silently do the wrong thing:
 *  - `op` is case-insensitive (Entra sends `Add`/`Replace`/`Remove`, scim-clients.md §0 rule 2);
 *    member names of the message and of each operation are matched case-insensitively too;
 *  - `schemas` may be missing (some tools omit it); if present it must list the PatchOp URN,
 *    otherwise the body is probably a resource sent to the wrong method → 400 invalidSyntax;
 *  - `Operations` must be a non-empty array of at most MAX_PATCH_OPERATIONS objects (Okta allows up
 *    to 1000 membership changes per request, §2.9) → else 400 invalidSyntax / tooMany;
 *  - `add`/`replace` need a `value` member (`null` is allowed and means "clear", the Entra validator's
 *    null test, §1.6 i) → 400 invalidValue when missing; without a `path` the value must be an
 *    object whose keys are attribute paths → 400 invalidValue;
 *  - `remove` needs a `path` (RFC 7644 §3.5.2.2) → 400 noTarget; it may carry a `value` (Entra's
 *    member removal, §1.9);
 *  - an empty `path` string counts as absent; a malformed path → 400 invalidPath.
 */
import { ScimError } from '../errors.js';
import { findKey, isObject } from '../filter/access.js';
import { SCHEMA } from '../schema/types.js';
import { parsePatchPath } from './path.js';
import type { PatchOpName, PatchOperation } from './types.js';

export const MAX_PATCH_OPERATIONS = 1000;

function member(obj: Record<string, unknown>, name: string): unknown {
  const k = findKey(obj, name);
  return k === undefined ? undefined : obj[k];
}

function syntax(detail: string): never {
  throw new ScimError(400, 'invalidSyntax', detail);
}

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) syntax('PATCH body must be a JSON object (urn:ietf:params:scim:api:messages:2.0:PatchOp)');
  const schemas = member(body, 'schemas');
  if (schemas !== undefined) {
    const list = Array.isArray(schemas) ? schemas : [schemas];
    if (!list.some((s) => typeof s === 'string' && s.trim().toLowerCase() === SCHEMA.patchOp.toLowerCase())) {
      syntax(`PATCH body 'schemas' must contain "${SCHEMA.patchOp}"`);
    }
  }
  const ops = member(body, 'Operations');
  if (!Array.isArray(ops)) syntax("PATCH body must have an 'Operations' array");
  if (ops.length === 0) syntax("'Operations' must not be empty");
  if (ops.length > MAX_PATCH_OPERATIONS) {
    throw new ScimError(400, 'tooMany', `Too many operations: ${ops.length} (at most ${MAX_PATCH_OPERATIONS} per request)`);
  }
  return ops.map((raw, i) => parseOperation(raw, i));
}

function parseOperation(raw: unknown, i: number): PatchOperation {
  const where = `Operations[${i}]`;
  if (!isObject(raw)) syntax(`${where} must be an object`);
  const opRaw = member(raw, 'op');
  const opName = typeof opRaw === 'string' ? opRaw.trim().toLowerCase() : undefined;
  if (opName !== 'add' && opName !== 'replace' && opName !== 'remove') {
    syntax(`${where}.op must be "add", "replace" or "remove" (got ${JSON.stringify(opRaw ?? null)})`);
  }
  const op: PatchOpName = opName;
  const pathRaw = member(raw, 'path');
  if (pathRaw !== undefined && pathRaw !== null && typeof pathRaw !== 'string') {
    throw new ScimError(400, 'invalidPath', `${where}.path must be a string`);
  }
  const pathText = typeof pathRaw === 'string' ? pathRaw.trim() : '';
  const path = pathText === '' ? undefined : parsePatchPath(pathText);
  const valueKey = findKey(raw, 'value');
  const hasValue = valueKey !== undefined;
  const value = hasValue ? raw[valueKey] : undefined;

  if (op === 'remove') {
    if (!path) throw new ScimError(400, 'noTarget', `${where}: "remove" requires a "path"`);
    return hasValue && value !== undefined ? { op, path, value } : { op, path };
  }
  if (!hasValue) throw new ScimError(400, 'invalidValue', `${where}: "${op}" requires a "value"`);
  if (!path && !isObject(value)) {
    throw new ScimError(400, 'invalidValue', `${where}: without a "path", "value" must be an object of attributes`);
  }
  return path ? { op, path, value } : { op, value };
}
