/**
 * Soak: 32 concurrent clients (half Entra's request pattern, half Okta's) against the local
 * endpoint for N minutes (default 10, `--minutes`), loopback only, bounded in time. Reports
 * throughput, latency percentiles, errors (target 0) and the server process's memory (RSS and heap
 * after a GC, sampled every few seconds) at start and end with a trend (least-squares slope over
 * the second half of the run, MB/min; target ≈ 0).
 *
 *   npm run soak -- --minutes 10 [--clients 32] [--out bench-results/soak.json]
 *
 * The server (gateway + handlers + DynamoDB client) runs in a child process (test/soak/server.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface SoakOptions {
  readonly minutes: number;
  readonly clients?: number;
  readonly sampleEveryMs?: number;
  readonly dynamodbEndpoint?: string;
  readonly log?: (line: string) => void;
}

export interface MemSample {
  t: number;
  rss: number;
  heapUsed: number;
}

export interface SoakReport {
  seconds: number;
  clients: number;
  requests: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  errorSamples: string[];
  byOp: Record<string, number>;
  memory: { start: MemSample; end: MemSample; rssSlopeMbPerMin: number; heapSlopeMbPerMin: number; samples: MemSample[] };
}

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Conn {
  tenantUrl: string;
  token: string;
}

function slope(samples: readonly MemSample[], key: 'rss' | 'heapUsed'): number {
  const s = samples.slice(Math.floor(samples.length / 2));
  if (s.length < 2) return 0;
  const n = s.length;
  const mx = s.reduce((a, x) => a + x.t, 0) / n;
  const my = s.reduce((a, x) => a + x[key], 0) / n;
  const num = s.reduce((a, x) => a + (x.t - mx) * (x[key] - my), 0);
  const den = s.reduce((a, x) => a + (x.t - mx) ** 2, 0);
  return den === 0 ? 0 : ((num / den) * 60_000) / 1024 / 1024; // bytes/ms → MB/min
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? ((l: string) => console.log(l));
  const clients = o.clients ?? 32;
  const here = dirname(fileURLToPath(import.meta.url));
  const child: ChildProcess = fork(join(here, 'server.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...(o.dynamodbEndpoint ? { SOAK_DYNAMODB_ENDPOINT: o.dynamodbEndpoint } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pendingMem: ((m: MemSample) => void)[] = [];
  let ready: ((c: Record<string, Conn>) => void) | undefined;
  const readyP = new Promise<Record<string, Conn>>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`soak server exited (${code})`)));
    setTimeout(() => reject(new Error('soak server did not start in 120 s')), 120_000).unref();
  });
  child.on('message', (m: { type: string; connectors?: Record<string, Conn>; rss?: number; heapUsed?: number }) => {
    if (m.type === 'ready' && m.connectors) ready?.(m.connectors);
    if (m.type === 'mem') pendingMem.shift()?.({ t: Date.now(), rss: m.rss ?? 0, heapUsed: m.heapUsed ?? 0 });
  });
  const mem = () =>
    new Promise<MemSample>((resolve) => {
      pendingMem.push(resolve);
      child.send({ type: 'mem' });
    });

  try {
    const conns = await readyP;
    const entra = conns.entra!;
    const okta = conns.okta!;
    const latencies: number[] = [];
    const byOp: Record<string, number> = {};
    const errorSamples: string[] = [];
    let errors = 0;

    const req = async (c: Conn, op: string, method: string, path: string, body?: unknown, ok: number[] = [200, 201, 204]): Promise<{ status: number; body: any }> => {
      const t0 = performance.now();
      let status = 0;
      let json: any;
      try {
        const res = await fetch(`${c.tenantUrl}${path}`, {
          method,
          headers: { Authorization: `Bearer ${c.token}`, ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        const text = await res.text();
        json = text ? JSON.parse(text) : undefined;
      } catch (e) {
        json = String(e);
      }
      latencies.push(performance.now() - t0);
      byOp[op] = (byOp[op] ?? 0) + 1;
      if (!ok.includes(status)) {
        errors++;
        if (errorSamples.length < 10) errorSamples.push(`${op}: ${status} ${JSON.stringify(json).slice(0, 200)}`);
      }
      return { status, body: json };
    };
    const q = (f: string) => `?filter=${encodeURIComponent(f)}`;

    const start = Date.now();
    const end = start + o.minutes * 60_000;
    const samples: MemSample[] = [await mem()];
    log(`soak: ${clients} clients for ${o.minutes} min; server RSS ${(samples[0]!.rss / 1048576).toFixed(1)} MB, heap ${(samples[0]!.heapUsed / 1048576).toFixed(1)} MB`);
    const sampler = setInterval(() => void mem().then((m) => samples.push(m)), o.sampleEveryMs ?? 5000);

    const entraClient = async (w: number) => {
      const g = await req(entra, 'create group', 'POST', '/Groups', { schemas: [GROUP], displayName: `entra-g-${w}-${start}` });
      const gid = g.body?.id as string;
      for (let i = 0; Date.now() < end && i < 1_000_000; i++) {
        const userName = `entra-${w}-${i}-${start}@example.com`;
        await req(entra, 'filter user', 'GET', `/Users${q(`userName eq "${userName}"`)}`);
        const u = await req(entra, 'create user', 'POST', '/Users', { schemas: [USER], userName, active: true, externalId: `x-${w}-${i}`, name: { givenName: 'A', familyName: 'B' }, emails: [{ value: userName, type: 'work', primary: true }] });
        const id = u.body?.id as string;
        if (!id) continue;
        await req(entra, 'patch user', 'PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'displayName', value: `User ${i}` }, { op: 'Add', path: 'title', value: 'Engineer' }] });
        await req(entra, 'filter group', 'GET', `/Groups${q(`displayName eq "entra-g-${w}-${start}"`)}&excludedAttributes=members`);
        await req(entra, 'add member', 'PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] });
        if (i % 3 === 0) await req(entra, 'remove member', 'PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }] });
        await req(entra, 'deactivate', 'PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
        if (i % 2 === 0) await req(entra, 'delete user', 'DELETE', `/Users/${id}`);
      }
    };
    const oktaClient = async (w: number) => {
      const gname = `okta-g-${w}-${start}`;
      const g = await req(okta, 'create group', 'POST', '/Groups', { schemas: [GROUP], displayName: gname, members: [] });
      const gid = g.body?.id as string;
      const members: string[] = [];
      for (let i = 0; Date.now() < end && i < 1_000_000; i++) {
        const userName = `okta-${w}-${i}-${start}@example.com`;
        await req(okta, 'filter user', 'GET', `/Users${q(`userName eq "${userName}"`)}&startIndex=1&count=100`);
        const u = await req(okta, 'create user', 'POST', '/Users', { schemas: [USER], userName, active: true, name: { givenName: 'O', familyName: 'K' }, emails: [{ value: userName, type: 'work', primary: true }], password: 'Okta-Temp-Pw-1!' });
        const id = u.body?.id as string;
        if (!id) continue;
        await req(okta, 'get user', 'GET', `/Users/${id}`);
        await req(okta, 'put user', 'PUT', `/Users/${id}`, { schemas: [USER], id, userName, active: true, name: { givenName: 'O', familyName: `K${i}` }, emails: [{ value: userName, type: 'work', primary: true }] });
        members.push(id);
        if (members.length > 20) members.shift();
        await req(okta, 'put group', 'PUT', `/Groups/${gid}`, { schemas: [GROUP], id: gid, displayName: gname, members: members.map((value) => ({ value })) });
        if (i % 5 === 0) await req(okta, 'import page', 'GET', '/Users?startIndex=1&count=100');
        if (i % 4 === 0) await req(okta, 'deactivate', 'PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, w) => (w % 2 === 0 ? entraClient(w) : oktaClient(w))));
    clearInterval(sampler);
    samples.push(await mem());
    const seconds = (Date.now() - start) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const report: SoakReport = {
      seconds,
      clients,
      requests: latencies.length,
      throughput: latencies.length / seconds,
      p50: pct(sorted, 50),
      p99: pct(sorted, 99),
      max: sorted[sorted.length - 1] ?? 0,
      errors,
      errorSamples,
      byOp,
      memory: { start: first, end: last, rssSlopeMbPerMin: slope(samples, 'rss'), heapSlopeMbPerMin: slope(samples, 'heapUsed'), samples },
    };
    const mb = (b: number) => (b / 1048576).toFixed(1);
    log(
      `soak: ${report.requests} requests in ${seconds.toFixed(0)} s = ${report.throughput.toFixed(0)}/s; p50 ${report.p50.toFixed(1)} ms, p99 ${report.p99.toFixed(1)} ms, max ${report.max.toFixed(0)} ms; errors ${errors}\n` +
        `soak: server RSS ${mb(first.rss)} → ${mb(last.rss)} MB (trend ${report.memory.rssSlopeMbPerMin.toFixed(2)} MB/min), heap ${mb(first.heapUsed)} → ${mb(last.heapUsed)} MB (trend ${report.memory.heapSlopeMbPerMin.toFixed(2)} MB/min), ${samples.length} samples`,
    );
    return report;
  } finally {
    if (child.connected) child.send({ type: 'stop' });
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
    });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const minutes = Number(arg('minutes') ?? 10);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes must be in (0, 1440]');
  const report = await runSoak({ minutes, clients: Number(arg('clients') ?? 32) });
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  if (report.errors > 0) {
    console.error(report.errorSamples.join('\n'));
    process.exitCode = 1;
  }
}
