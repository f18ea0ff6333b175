/**
 * What every scim-admin command is written against: the option table, the command shape, the
 * context a command runs with, and the few things every command does (write a line, find its
 * connector). Its own module so command files (pause-commands.ts,
 * restore-commands.ts, …) and cli.ts, which lists them, import one way.
 */
import type { Writable } from 'node:stream';
import { AdminError, EXIT, type AdminBackend, type ConnectorRef } from './backend.js';

export const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  local: { type: 'boolean' },
  dir: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  format: { type: 'string' },
  filter: { type: 'string' },
  output: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
  reveal: { type: 'boolean' },
  grace: { type: 'string' },
  kinds: { type: 'string' },
  rate: { type: 'string' },
  from: { type: 'string' },
  expires: { type: 'string' },
  revoke: { type: 'boolean' },
  'from-table': { type: 'string' },
  'dry-run': { type: 'boolean' },
  to: { type: 'string' },
} as const;
export type OptionName = keyof typeof OPTIONS;


export interface CliIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** stderr is a terminal: progress rewrites one line. */
  readonly interactive?: boolean;
}

export interface Command {
  readonly path: string;
  readonly args: readonly string[];
  /** Optional trailing arguments, any number (e.g. `check [connector…]`). */
  readonly rest?: string;
  readonly options: readonly OptionName[];
  readonly summary: string;
  readonly help: string;
  readonly run: (ctx: Ctx, args: string[]) => Promise<number>;
}

export interface Ctx {
  readonly io: CliIO;
  readonly backend: AdminBackend;
  readonly values: Partial<Record<OptionName, string | boolean>>;
  readonly now: () => Date;
  readonly signal?: AbortSignal;
}

/** A line on standard output (the command's result). */
export const out = (ctx: Ctx, text: string): void => void ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
/** A line on standard error (progress, notes, what to do next). */
export const note = (ctx: Ctx, text: string): void => void ctx.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

/** The named connector of the target, or exit 3 listing the known ones. */
export async function resolveConnector(ctx: Ctx, name: string): Promise<ConnectorRef> {
  const all = await ctx.backend.connectors();
  const c = all.find((x) => x.name === name);
  if (!c) {
    const known = all.map((x) => x.name).join(', ') || '(none)';
    throw new AdminError(`unknown connector "${name}" in ${ctx.backend.description}; known connectors: ${known}`, EXIT.notFound);
  }
  return c;
}

/**
 * Ctrl-C (or the test's `ctx.signal`) for a long command: aborts `signal`, so the command stops
 * after the batch in flight and says how to continue (a second Ctrl-C is Node's default). Call
 * `release()` when the command ends.
 */
export function interruption(ctx: Ctx): { readonly signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  if (!ctx.signal) process.once('SIGINT', onSigint);
  ctx.signal?.addEventListener('abort', onSigint, { once: true });
  if (ctx.signal?.aborted) stop.abort();
  return { signal: stop.signal, release: () => void process.removeListener('SIGINT', onSigint) };
}

/**
 * A long command's progress on stderr: one line rewritten in place on a terminal, else a line
 * every 2 s (logs stay short); nothing when `quiet`. `clear()` ends the terminal line.
 */
export function progressLine(ctx: Ctx, quiet: boolean): { show(text: string): void; clear(): void } {
  let last = 0;
  return {
    show: (text) => {
      if (quiet) return;
      if (ctx.io.interactive) ctx.io.stderr.write(`\r${text}\x1b[K`);
      else if (Date.now() - last > 2000) {
        last = Date.now();
        note(ctx, text);
      }
    },
    clear: () => {
      if (ctx.io.interactive && !quiet) ctx.io.stderr.write('\r\x1b[K');
    },
  };
}
