/**
 * Measure 2, the handler's CPU: what each request kind of the Entra sync costs the handler when
 * DynamoDB takes no time at all. The first request of each kind is recorded over HTTP (handler,
 * event, the outputs of its DynamoDB calls); then the same handler runs that event again and again
 * with every DynamoDB call answered from the recording by the probe, before the SDK is entered —
 * so the figure is the handler alone (middy, parsing, SCIM core, store logic, response, request
 * line), hot in the CPU caches.
 *
 * It complements the concurrency-1 figure (sync.bench.ts), which is measured between real
 * DynamoDB calls and real HTTP: there the same code runs with cold caches after every wait, which
 * on this VM multiplies its time by 2–5 (a static discovery answer: ~20 µs here, ~0.14 ms there).
 */
import type { Context } from 'aws-lambda';
import type { BenchEnv } from './support/env.js';
import type { Captured } from './support/probe.js';
import { summarize } from './support/stats.js';
import { entraSync, syncShape } from './sync.bench.js';

export interface CpuFigure {
  kind: string;
  status: number;
  /** DynamoDB calls answered from the recording per request. */
  calls: number;
  runs: number;
  /** Mean handler time per request, µs (the copy of the recorded outputs subtracted). */
  meanMicros: number;
  p50Micros: number;
}

const CONTEXT = { awsRequestId: 'bench-cpu', functionName: 'bench', getRemainingTimeInMillis: () => 20_000 } as unknown as Context;

/** Time of `n` runs of `fn` in batches, µs per run (batches keep timer resolution out of it). */
async function timeRuns(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const BATCH = 20;
  const out: number[] = [];
  for (let done = 0; done < n; done += BATCH) {
    const t = performance.now();
    for (let i = 0; i < BATCH; i++) await fn();
    out.push(((performance.now() - t) * 1000) / BATCH);
  }
  return out;
}

export async function runHandlerCpu(env: BenchEnv, o: { runs: number }): Promise<CpuFigure[]> {
  const client = env.client('cpu', 1);
  const captured = new Map<string, Captured>();
  env.probe.solo = true;
  env.probe.capture = captured;
  try {
    await entraSync(env, client, syncShape(20), 1, 'cpu', () => env.probe.take(), []);
  } finally {
    env.probe.capture = undefined;
    env.probe.solo = false;
    client.close();
  }
  const figures: CpuFigure[] = [];
  for (const [kind, c] of captured) {
    // A fresh event object per run, as every invocation gets (per-event caches start empty).
    const once = () => env.probe.replay(c.outputs, () => c.handler({ ...c.event }, CONTEXT));
    const first = await once();
    if (first.statusCode !== c.status) throw new Error(`handler CPU: ${kind} answered ${first.statusCode} on replay, ${c.status} when recorded`);
    await timeRuns(Math.min(500, o.runs), once); // warm-up: JIT
    const copy = summarize(await timeRuns(o.runs, async () => c.outputs.map((x) => structuredClone(x)))).mean;
    const s = summarize(await timeRuns(o.runs, once));
    figures.push({ kind, status: c.status, calls: c.outputs.length, runs: o.runs, meanMicros: s.mean - copy, p50Micros: s.p50 - copy });
  }
  return figures;
}
