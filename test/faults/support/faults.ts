/**
 * Fault injection on the handlers' DynamoDB client (an SDK middleware added through the local
 * endpoint's `instrument.documentClient` seam), plus a TCP "black hole" that accepts connections
 * and never answers, so SDK request timeouts are exercised for real.
 *
 * Kinds (what DynamoDB really throws):
 *  - throttle: ProvisionedThroughputExceededException;
 *  - cancel: TransactionCanceledException with ThrottlingError / TransactionConflict reasons (only on
 *    TransactWriteItems);
 *  - unavailable: InternalServerError (a 500 from DynamoDB);
 *  - hang: the request is sent to the black hole (the SDK's requestTimeout cuts it);
 *  - none.
 * `probability` makes a fault hit only some calls; `after` lets the first N matching calls pass
 * (a "crash" in the middle of a chunked operation); `only` restricts the fault to some commands.
 *
 * `holdWrites` is not a fault but a stand-in fix for the crash test: DynamoDB Local answers a
 * TransactWriteItems before its SQLite COMMIT has run (SQLiteDBAccess.commitTransaction enqueues
 * it), so a SIGKILL can lose a write it acknowledged — which DynamoDB never does (scratch check:
 * SIGKILL right after an acknowledged TransactWriteItems lost it in 7 of 8 trials, PutItem 0 of 6;
 * 200 ms after, none lost). Holding new writes and letting the acknowledged ones commit (1 s)
 * before the kill keeps the test about our code.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type FaultKind = 'none' | 'throttle' | 'cancel' | 'unavailable' | 'hang';

export interface FaultControl {
  kind: FaultKind;
  probability: number;
  /** Matching calls that still pass before the fault starts. */
  after: number;
  /** Command name fragments (e.g. 'TransactWrite', 'BatchWrite'); empty = all. */
  only: string[];
  /** Random source (seeded by the tests). */
  random: () => number;
  /** Counters. */
  matched: number;
  injected: Record<string, number>;
  /** Write calls past the hold gate that have not answered yet. */
  writesInFlight: number;
  /** While set, new write calls wait for it before they are sent. */
  writeGate: Promise<void> | undefined;
  /** Write calls that waited at the gate. */
  writesHeld: number;
}

export function faultControl(random: () => number = Math.random): FaultControl {
  return { kind: 'none', probability: 1, after: 0, only: [], random, matched: 0, injected: {}, writesInFlight: 0, writeGate: undefined, writesHeld: 0 };
}

export function setFault(c: FaultControl, kind: FaultKind, o: { probability?: number; after?: number; only?: string[] } = {}): void {
  c.kind = kind;
  c.probability = o.probability ?? 1;
  c.after = o.after ?? 0;
  c.only = o.only ?? [];
  c.matched = 0;
  c.injected = {};
}

const WRITE_COMMANDS = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

/**
 * Holds new write calls, waits until the ones already sent have answered, then `settleMs` more so
 * DynamoDB Local runs the COMMITs it queued; returns the release. Reads keep flowing.
 */
export async function holdWrites(c: FaultControl, settleMs: number): Promise<() => void> {
  let release!: () => void;
  c.writeGate = new Promise<void>((r) => (release = r));
  while (c.writesInFlight > 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, settleMs));
  return () => {
    c.writeGate = undefined;
    release();
  };
}

function sdkError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: name === 'InternalServerError' ? 'server' : 'client', $metadata: { httpStatusCode: name === 'InternalServerError' ? 500 : 400 }, ...extra });
}

export function attachFaults(doc: DynamoDBDocumentClient, c: FaultControl, blackHolePort?: () => number | undefined): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '');
      if (!WRITE_COMMANDS.test(command)) return next(args);
      if (c.writeGate) c.writesHeld++;
      while (c.writeGate) await c.writeGate;
      c.writesInFlight++;
      try {
        return await next(args);
      } finally {
        c.writesInFlight--;
      }
    },
    { step: 'build', name: 'writeHold', priority: 'low' },
  );
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '');
      if (c.kind === 'none' || (c.only.length > 0 && !c.only.some((o) => command.includes(o)))) return next(args);
      c.matched++;
      if (c.matched <= c.after || c.random() >= c.probability) return next(args);
      const isTransact = command.includes('TransactWrite');
      if (c.kind === 'cancel' && !isTransact) return next(args);
      c.injected[`${c.kind}:${command}`] = (c.injected[`${c.kind}:${command}`] ?? 0) + 1;
      switch (c.kind) {
        case 'throttle':
          throw sdkError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.');
        case 'cancel':
          if (!isTransact) return next(args);
          throw sdkError('TransactionCanceledException', 'Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError, TransactionConflict]', {
            CancellationReasons: [{ Code: c.random() < 0.5 ? 'ThrottlingError' : 'TransactionConflict', Message: 'Throughput exceeds the current capacity' }],
          });
        case 'unavailable':
          throw sdkError('InternalServerError', 'Internal server error');
        case 'hang': {
          const port = blackHolePort?.();
          const req = (args as { request?: { port?: number; hostname?: string } }).request;
          if (port !== undefined && req) {
            req.hostname = '127.0.0.1';
            req.port = port;
          }
          return next(args);
        }
      }
    },
    { step: 'build', name: 'faultInjector', priority: 'low' },
  );
}

/** Accepts TCP connections and never answers (nor closes them) until `close`. */
export async function startBlackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** mulberry32: a small seeded PRNG so fault patterns are reproducible. */
export { seeded } from '../../support/random.js';
