/**
 * The pause check's cache: one read per connector per TTL whatever the request rate (concurrent
 * requests share it), a new read after the TTL, a failed read answered by the last answer (else not paused) for the TTL, and the 503 a paused
 * connector answers (Retry-After, SCIM error).
 */
import { describe, expect, it } from 'vitest';
import { PauseGate, PAUSED_RETRY_AFTER_SECONDS } from '../../../lambdas/http/pause.js';
import { isScimError } from '../../../lambdas/scim/errors.js';

function gate(answers: (boolean | Error)[]) {
  let t = 0;
  const reads: string[] = [];
  const g = new PauseGate(
    async (c) => {
      reads.push(c);
      const a = answers.shift() ?? false;
      if (a instanceof Error) throw a;
      return a;
    },
    5000,
    () => t,
  );
  return { g, reads, advance: (ms: number) => void (t += ms) };
}

describe('PauseGate', () => {
  it('reads each connector once per TTL, shared by concurrent requests', async () => {
    const { g, reads, advance } = gate([false, false, true]);
    await Promise.all(Array.from({ length: 50 }, () => g.check('a')));
    await g.check('b');
    expect(reads).toEqual(['a', 'b']);
    advance(4999);
    await g.check('a');
    expect(reads).toEqual(['a', 'b']);
    advance(1);
    await expect(g.check('a')).rejects.toSatisfy((e) => isScimError(e) && e.status === 503 && e.headers?.['Retry-After'] === PAUSED_RETRY_AFTER_SECONDS);
    expect(reads).toEqual(['a', 'b', 'a']);
  });

  it('a failed read lets the request meet storage itself when nothing was read before, and is not retried before the TTL', async () => {
    const { g, reads, advance } = gate([new Error('DynamoDB down'), true]);
    await expect(g.check('a')).resolves.toBeUndefined();
    await expect(g.check('a')).resolves.toBeUndefined();
    expect(reads).toEqual(['a']);
    advance(5000);
    await expect(g.check('a')).rejects.toSatisfy((e) => isScimError(e) && e.status === 503);
    expect(reads).toEqual(['a', 'a']);
  });

  it('a paused connector stays paused through a failed read (the last answer counts)', async () => {
    const { g, reads, advance } = gate([true, new Error('throttled'), false]);
    const paused = (e: unknown) => isScimError(e) && e.status === 503;
    await expect(g.check('a')).rejects.toSatisfy(paused);
    advance(5000);
    await expect(g.check('a')).rejects.toSatisfy(paused);
    advance(5000);
    await expect(g.check('a')).resolves.toBeUndefined();
    expect(reads).toEqual(['a', 'a', 'a']);
  });
});
