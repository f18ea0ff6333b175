/**
 * The paging cursors' signing key of `npm start`: one random key per data folder,
 * `<dir>/cursor-key` (mode 0600), created on the first start and reused by every later one, so a
 * cursor handed out before a restart still opens after it — as on AWS, where the key is a Secrets
 * Manager secret generated at deploy time (lambdas/http/cursor-key.ts). A throwaway store
 * (`--in-memory`) gets a fresh key that is never written. The file holds a bare key or, once
 * `scim-admin --local cursor-key rotate` has run, the rotating-secret JSON (current and previous
 * keys), and is re-read like the deployed secret (lambdas/store/cursor-key.ts). Replacing it with a
 * new bare key makes the cursors handed out before answer 400 invalidCursor, like on AWS.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CURSOR_KEY_FILE = 'cursor-key';

/** 48 random bytes, base64url: 64 characters, like the deployed key. */
export function newCursorKey(): string {
  return randomBytes(48).toString('base64url');
}

export function cursorKeyFile(dir: string): string {
  return join(dir, CURSOR_KEY_FILE);
}

/** The data folder's key file, created with a fresh key unless it exists; returns its path. */
export function ensureCursorKeyFile(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = cursorKeyFile(dir);
  try {
    writeFileSync(file, `${newCursorKey()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  chmodSync(file, 0o600);
  return file;
}

/** The store's key loader for a key file: read on the first cursor request and re-read on an interval, as the Lambdas read theirs. */
export function fileCursorKey(file: string): () => string {
  return () => readFileSync(file, 'utf8').trim();
}
