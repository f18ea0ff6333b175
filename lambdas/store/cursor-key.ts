/**
 * The keys that sign paging cursors, in the rotating-secret shape of the tokens and webhook secrets
 * (lambdas/runtime/rotating-secret.ts): cursors are signed with `current` and accepted under
 * `current` or `previous` until `previousExpiresAt`, so a rotation (`scim-admin cursor-key rotate`)
 * never makes containers that read the secret at different times reject each other's cursors.
 * A secret holding a bare key (what the stack generates, and every secret written before the
 * shape) is that key as `current`.
 *
 * Read lazily and re-read on a bounded interval, as the authorizer reads tokens: the keys are read
 * on the first request that encodes or decodes a cursor, kept for CURSOR_KEY_TTL_MS, and re-read at
 * once (at most once a second) when a cursor matches neither key, so a container that has not yet
 * seen a rotation still opens the cursors of one that has.
 */
import { randomBytes } from 'node:crypto';
import { liveValues, parseRotatingSecret, type RotatingSecret } from '../runtime/rotating-secret.js';
import { StorageError } from './storage-error.js';

export type CursorKeys = RotatingSecret;

/**
 * The cursor key secret: its text (a bare key or the rotating-secret JSON), or a function that
 * loads the text (Secrets Manager in Lambda, a file for `npm start`).
 */
export type CursorKeySource = string | (() => string | Promise<string>);

/** Shortest cursor key accepted (a generated key is 43+ characters). */
export const MIN_CURSOR_KEY_LENGTH = 32;

/** How long a container uses the keys it read before reading them again. */
export const CURSOR_KEY_TTL_MS = 60_000;

/** A cursor matching no key re-reads the secret, at most this often (a stream of forged cursors costs one read a second). */
export const CURSOR_KEY_MIN_REFRESH_MS = 1_000;

/** The secret's text as keys: the rotating-secret JSON, or a bare key (the generated value, or written before the shape). */
export function parseCursorKeySecret(text: string): CursorKeys {
  return text.trimStart().startsWith('{') ? parseRotatingSecret(text, 'cursor key secret') : { current: text };
}

/** The keys a cursor is accepted under at `now`: current, then previous while its grace lasts. */
export const cursorKeysAt = (keys: CursorKeys, now: Date): string[] => liveValues(keys, now);

/**
 * The cursor key secret's text as keys the functions accept: the secret's shape, and every key at
 * least MIN_CURSOR_KEY_LENGTH characters. Throws an Error saying what is wrong (callers add where
 * and what to do). `scim-admin cursor-key rotate` reads with the same rule, so it never keeps a
 * key the functions would refuse as `previous`.
 */
export function usableCursorKeys(text: unknown): CursorKeys {
  if (typeof text !== 'string') throw new Error('is not a string');
  let keys: CursorKeys;
  try {
    keys = parseCursorKeySecret(text);
  } catch (e) {
    throw new Error(`cannot be used: ${(e as Error).message}`);
  }
  const short = [keys.current, keys.previous].some((k) => k !== undefined && k.length < MIN_CURSOR_KEY_LENGTH);
  if (short) throw new Error(`must hold keys of at least ${MIN_CURSOR_KEY_LENGTH} characters`);
  return keys;
}

function checkedKeys(text: unknown): CursorKeys {
  try {
    return usableCursorKeys(text);
  } catch (e) {
    throw new StorageError('configuration', `the cursor key secret ${(e as Error).message}`, { code: 'InvalidCursorKey' });
  }
}

/** The context's cursor keys. */
export interface CursorKeyRing {
  /** The keys: read on the first call, again once they are older than the TTL. Rejects with a StorageError. */
  get(): Promise<CursorKeys>;
  /** The keys read again now, or undefined when the copy held is too young to re-read (or there is nothing to re-read). */
  refresh(): Promise<CursorKeys | undefined>;
}

let processCursorKey: string | undefined;

/**
 * The ring for a source: a fixed text is checked once; a loader runs on the first call, its keys
 * are kept for `ttlMs` (concurrent calls share one read) and a failed read is not kept. When a
 * re-read fails, the keys read before stay in use (the next call tries again); a first read that
 * fails rejects: a loader's error that is not already a StorageError becomes `unavailable`
 * (503 + Retry-After), the cursor key being part of what the store needs, like DynamoDB.
 * Without a source: one random key for the process (tests, library use).
 */
export function cursorKeyRing(
  source: CursorKeySource | undefined,
  o: { now?: () => number; ttlMs?: number; minRefreshMs?: number } = {},
): CursorKeyRing {
  if (source === undefined || typeof source === 'string') {
    const keys = source === undefined ? { current: (processCursorKey ??= randomBytes(32).toString('base64url')) } : checkedKeys(source);
    return { get: () => Promise.resolve(keys), refresh: () => Promise.resolve(undefined) };
  }
  const now = o.now ?? Date.now;
  const ttlMs = o.ttlMs ?? CURSOR_KEY_TTL_MS;
  const minRefreshMs = o.minRefreshMs ?? CURSOR_KEY_MIN_REFRESH_MS;
  // `checkedAt`: the last read, successful or not (a failed re-read keeps the keys for another interval).
  let held: { keys: CursorKeys; checkedAt: number } | undefined;
  let reading: Promise<CursorKeys> | undefined;
  const load = async (): Promise<CursorKeys> => {
    try {
      const keys = checkedKeys(await source());
      held = { keys, checkedAt: now() };
      return keys;
    } catch (e) {
      if (held) {
        held = { keys: held.keys, checkedAt: now() };
        return held.keys;
      }
      throw e instanceof StorageError ? e : new StorageError('unavailable', 'the cursor key could not be loaded', { cause: e });
    }
  };
  const read = (): Promise<CursorKeys> => (reading ??= load().finally(() => (reading = undefined)));
  return {
    get: () => (held && now() - held.checkedAt < ttlMs ? Promise.resolve(held.keys) : read()),
    refresh: async () => {
      if (held && now() - held.checkedAt < minRefreshMs) return undefined;
      const before = held?.keys;
      const keys = await read();
      return keys === before ? undefined : keys;
    },
  };
}
