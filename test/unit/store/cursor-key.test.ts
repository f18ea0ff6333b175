/**
 * The store's cursor key: a fixed key or a loader called only when a cursor is encoded or decoded,
 * kept once loaded, retried after a failure; a cursor signed with another key is 400
 * invalidCursor. Pure (no DynamoDB): the cursor functions and the context's key loader.
 */
import { describe, expect, it, vi } from 'vitest';
import { cursorKeyLoader, MIN_CURSOR_KEY_LENGTH } from '../../../lambdas/store/context.js';
import { isStorageError, StorageError, toScimError } from '../../../lambdas/store/errors.js';
import { decodeCursor, encodeCursor, openCursor, sealCursor } from '../../../lambdas/store/paging.js';

const KEY_A = 'a'.repeat(40) + 'key-A';
const KEY_B = 'b'.repeat(40) + 'key-B';
const body = { q: 'query-hash', k: 'sort-key-42', i: 101 };

async function storageErrorOf(p: Promise<unknown>): Promise<StorageError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isStorageError(e)) throw new Error(`expected a StorageError, got ${String(e)}`);
  return e;
}

describe('cursors and keys', () => {
  it('a cursor opens with the key that signed it', () => {
    expect(decodeCursor(KEY_A, encodeCursor(KEY_A, body), 'query-hash')).toEqual(body);
  });

  it('a cursor signed with key A is 400 invalidCursor under key B (the key was replaced)', () => {
    const cursor = encodeCursor(KEY_A, body);
    let caught: unknown;
    try {
      decodeCursor(KEY_B, cursor, 'query-hash');
    } catch (e) {
      caught = e;
    }
    expect(isStorageError(caught, 'invalidCursor')).toBe(true);
    const scim = toScimError(caught);
    expect(scim.status).toBe(400);
    expect(scim.scimType).toBe('invalidCursor');
  });

  it('openCursor / sealCursor use the context key; a malformed cursor is refused without loading it', async () => {
    const load = vi.fn(async () => KEY_A);
    const ctx = { cursorKey: cursorKeyLoader(load) };
    const sealed = await sealCursor(ctx, body);
    expect(await openCursor(ctx, sealed, 'query-hash')).toEqual(body);
    expect(load).toHaveBeenCalledTimes(1);

    const unloaded = vi.fn(async () => KEY_A);
    const fresh = { cursorKey: cursorKeyLoader(unloaded) };
    for (const bad of ['no-dot', 'a.b.c', '.sig', `${'x'.repeat(2050)}.y`]) {
      expect((await storageErrorOf(openCursor(fresh, bad, 'query-hash'))).kind, bad).toBe('invalidCursor');
    }
    expect(unloaded).not.toHaveBeenCalled();
  });
});

describe('cursorKeyLoader', () => {
  it('a fixed key is checked once: shorter than the minimum is a configuration error at construction', async () => {
    expect(await cursorKeyLoader(KEY_A)()).toBe(KEY_A);
    let caught: unknown;
    try {
      cursorKeyLoader('x'.repeat(MIN_CURSOR_KEY_LENGTH - 1));
    } catch (e) {
      caught = e;
    }
    expect(isStorageError(caught, 'configuration')).toBe(true);
  });

  it('a loader runs on first use only, once for concurrent first calls, and its key is kept', async () => {
    let release!: (k: string) => void;
    const load = vi.fn(() => new Promise<string>((r) => (release = r)));
    const key = cursorKeyLoader(load);
    expect(load).not.toHaveBeenCalled();
    const both = Promise.all([key(), key()]);
    release(KEY_A);
    expect(await both).toEqual([KEY_A, KEY_A]);
    expect(await key()).toBe(KEY_A);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a failed load is not kept: the next call loads again; a plain error becomes unavailable (503 + Retry-After)', async () => {
    const load = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('socket hang up')).mockResolvedValueOnce(KEY_B);
    const key = cursorKeyLoader(load);
    const e = await storageErrorOf(key());
    expect(e.kind).toBe('unavailable');
    const scim = toScimError(e);
    expect(scim.status).toBe(503);
    expect(scim.headers?.['Retry-After']).toBeDefined();
    expect(await key()).toBe(KEY_B);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("a loader's StorageError passes unchanged (configuration stays a 500); a too-short loaded key is a configuration error", async () => {
    const denied = new StorageError('configuration', 'denied', { code: 'AccessDeniedException', operation: 'secretsmanager:GetSecretValue' });
    expect(await storageErrorOf(cursorKeyLoader(() => Promise.reject(denied))())).toBe(denied);
    const short = await storageErrorOf(cursorKeyLoader(() => 'short')());
    expect(short.kind).toBe('configuration');
    expect(toScimError(short).status).toBe(500);
  });

  it('without a key: one random key for the process (never a constant), shared by every store', async () => {
    const a = await cursorKeyLoader(undefined)();
    const b = await cursorKeyLoader(undefined)();
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(MIN_CURSOR_KEY_LENGTH);
    expect(a).not.toBe('scim-cursor-v1');
  });
});
