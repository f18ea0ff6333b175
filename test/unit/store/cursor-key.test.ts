/**
 * The store's cursor keys: a fixed key or a loader called only when a cursor is encoded or decoded,
 * kept for an interval, retried after a failure; a cursor signed with another key is 400
 * invalidCursor, except the previous key during its grace period after a rotation. Pure (no
 * DynamoDB): the cursor functions and the context's key ring.
 */
import { describe, expect, it, vi } from 'vitest';
import { CURSOR_KEY_TTL_MS, cursorKeyRing, MIN_CURSOR_KEY_LENGTH, parseCursorKeySecret, type CursorKeySource } from '../../../lambdas/store/cursor-key.js';
import { isStorageError, StorageError, toScimError } from '../../../lambdas/store/errors.js';
import { decodeCursor, encodeCursor, openCursor, sealCursor } from '../../../lambdas/store/paging.js';

const KEY_A = 'a'.repeat(40) + 'key-A';
const KEY_B = 'b'.repeat(40) + 'key-B';
const body = { q: 'query-hash', k: 'sort-key-42', i: 101 };
const T0 = new Date('2026-03-01T10:00:00.000Z');

/** What openCursor / sealCursor need of a store context, with its clock. */
function ctxOf(source: CursorKeySource, clock = { t: T0.getTime() }) {
  return { cursorKeys: cursorKeyRing(source, { now: () => clock.t }), now: () => new Date(clock.t) };
}

/** The ring's current key. */
const keyOf = async (source: CursorKeySource | undefined) => (await cursorKeyRing(source).get()).current;

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
    const ctx = ctxOf(load);
    const sealed = await sealCursor(ctx, body);
    expect(await openCursor(ctx, sealed, 'query-hash')).toEqual(body);
    expect(load).toHaveBeenCalledTimes(1);

    const unloaded = vi.fn(async () => KEY_A);
    const fresh = ctxOf(unloaded);
    for (const bad of ['no-dot', 'a.b.c', '.sig', `${'x'.repeat(2050)}.y`]) {
      expect((await storageErrorOf(openCursor(fresh, bad, 'query-hash'))).kind, bad).toBe('invalidCursor');
    }
    expect(unloaded).not.toHaveBeenCalled();
  });
});

describe('cursorKeyRing', () => {
  it('a fixed key is checked once: shorter than the minimum is a configuration error at construction', async () => {
    expect(await keyOf(KEY_A)).toBe(KEY_A);
    let caught: unknown;
    try {
      cursorKeyRing('x'.repeat(MIN_CURSOR_KEY_LENGTH - 1));
    } catch (e) {
      caught = e;
    }
    expect(isStorageError(caught, 'configuration')).toBe(true);
  });

  it('a loader runs on first use only, once for concurrent first calls, and its key is kept', async () => {
    let release!: (k: string) => void;
    const load = vi.fn(() => new Promise<string>((r) => (release = r)));
    const ring = cursorKeyRing(load);
    expect(load).not.toHaveBeenCalled();
    const both = Promise.all([ring.get(), ring.get()]);
    release(KEY_A);
    expect(await both).toEqual([{ current: KEY_A }, { current: KEY_A }]);
    expect(await ring.get()).toEqual({ current: KEY_A });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a failed load is not kept: the next call loads again; a plain error becomes unavailable (503 + Retry-After)', async () => {
    const load = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('socket hang up')).mockResolvedValueOnce(KEY_B);
    const ring = cursorKeyRing(load);
    const e = await storageErrorOf(ring.get());
    expect(e.kind).toBe('unavailable');
    const scim = toScimError(e);
    expect(scim.status).toBe(503);
    expect(scim.headers?.['Retry-After']).toBeDefined();
    expect((await ring.get()).current).toBe(KEY_B);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("a loader's StorageError passes unchanged (configuration stays a 500); a too-short loaded key is a configuration error", async () => {
    const denied = new StorageError('configuration', 'denied', { code: 'AccessDeniedException', operation: 'secretsmanager:GetSecretValue' });
    expect(await storageErrorOf(cursorKeyRing(() => Promise.reject(denied)).get())).toBe(denied);
    const short = await storageErrorOf(cursorKeyRing(() => 'short').get());
    expect(short.kind).toBe('configuration');
    expect(toScimError(short).status).toBe(500);
  });

  it('without a key: one random key per process (never a constant), shared by every store of the process', async () => {
    const a = await keyOf(undefined);
    expect(await keyOf(undefined)).toBe(a);
    expect(a.length).toBeGreaterThanOrEqual(MIN_CURSOR_KEY_LENGTH);
    // A fresh instance of the module (as in another process) draws its own key: any constant fails here.
    vi.resetModules();
    const other = (await import('../../../lambdas/store/cursor-key.js')) as typeof import('../../../lambdas/store/cursor-key.js');
    const b = (await other.cursorKeyRing(undefined).get()).current;
    expect(b.length).toBeGreaterThanOrEqual(MIN_CURSOR_KEY_LENGTH);
    expect(b).not.toBe(a);
  });
});

describe('rotation: current and previous keys', () => {
  const rotated = (current: string, previous: string, expires: Date) => JSON.stringify({ current, previous, previousExpiresAt: expires.toISOString() });

  it('the secret holds a bare key (as generated, or written before the shape) or the rotating-secret JSON', () => {
    expect(parseCursorKeySecret(KEY_A)).toEqual({ current: KEY_A });
    expect(parseCursorKeySecret(rotated(KEY_B, KEY_A, T0))).toEqual({ current: KEY_B, previous: KEY_A, previousExpiresAt: T0.toISOString() });
    expect(() => parseCursorKeySecret('{"current": 7}')).toThrow(/fields: current/);
  });

  it('a malformed or short key in the JSON is a configuration error (500, alarmed), never quoted', async () => {
    for (const text of ['{"current":', JSON.stringify({ current: KEY_A, previous: 'short', previousExpiresAt: T0.toISOString() })]) {
      const e = await storageErrorOf(cursorKeyRing(() => text).get());
      expect(e.kind).toBe('configuration');
      expect(e.message).not.toContain(KEY_A);
    }
  });

  it('signs with current; opens cursors of current or of previous until it expires, then 400 invalidCursor', async () => {
    const clock = { t: T0.getTime() };
    const before = await sealCursor(ctxOf(KEY_A, clock), body);
    const ctx = ctxOf(rotated(KEY_B, KEY_A, new Date(T0.getTime() + 3_600_000)), clock);
    const after = await sealCursor(ctx, body);
    expect(decodeCursor(KEY_B, after, 'query-hash')).toEqual(body);
    expect(await openCursor(ctx, before, 'query-hash')).toEqual(body);
    clock.t += 3_600_000;
    expect((await storageErrorOf(openCursor(ctx, before, 'query-hash'))).kind).toBe('invalidCursor');
    expect(await openCursor(ctx, after, 'query-hash')).toEqual(body);
  });

  it('containers that read the secret before and after a rotation open each other\'s cursors; the old one signs with the new key within the interval', async () => {
    let secret = KEY_A;
    const clock = { t: T0.getTime() };
    const old = ctxOf(() => secret, clock);
    const fromOld = await sealCursor(old, body); // the old container has read KEY_A
    clock.t += 5_000;
    secret = rotated(KEY_B, KEY_A, new Date(clock.t + 86_400_000)); // scim-admin cursor-key rotate --grace 24h
    const young = ctxOf(() => secret, clock);
    const fromYoung = await sealCursor(young, body);
    expect(await openCursor(young, fromOld, 'query-hash')).toEqual(body);
    // The old container has not re-read yet: the unknown signature makes it re-read once.
    expect(await openCursor(old, fromYoung, 'query-hash')).toEqual(body);
    expect(decodeCursor(KEY_B, await sealCursor(old, body), 'query-hash')).toEqual(body);
  });

  it('without a mismatch a container re-reads the secret after the interval, not before', async () => {
    let secret = KEY_A;
    const load = vi.fn(() => secret);
    const clock = { t: T0.getTime() };
    const ctx = ctxOf(load, clock);
    await sealCursor(ctx, body);
    secret = rotated(KEY_B, KEY_A, new Date(T0.getTime() + 86_400_000));
    clock.t += CURSOR_KEY_TTL_MS - 1;
    expect(decodeCursor(KEY_A, await sealCursor(ctx, body), 'query-hash')).toEqual(body);
    clock.t += 1;
    expect(decodeCursor(KEY_B, await sealCursor(ctx, body), 'query-hash')).toEqual(body);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('cursors matching no key re-read the secret at most once a second; a failed re-read keeps the keys held', async () => {
    const load = vi.fn<() => Promise<string>>().mockResolvedValue(KEY_A);
    const clock = { t: T0.getTime() };
    const ctx = ctxOf(load, clock);
    const good = await sealCursor(ctx, body);
    const forged = encodeCursor(KEY_B, body);
    for (let i = 0; i < 5; i++) expect((await storageErrorOf(openCursor(ctx, forged, 'query-hash'))).kind).toBe('invalidCursor');
    expect(load).toHaveBeenCalledTimes(1);
    clock.t += 1_000;
    expect((await storageErrorOf(openCursor(ctx, forged, 'query-hash'))).kind).toBe('invalidCursor');
    expect(load).toHaveBeenCalledTimes(2);

    load.mockRejectedValue(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    clock.t += CURSOR_KEY_TTL_MS;
    expect(await openCursor(ctx, good, 'query-hash')).toEqual(body);
    expect(load).toHaveBeenCalledTimes(3);
  });
});
