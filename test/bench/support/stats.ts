/** Small statistics and formatting helpers for the bench tables. */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return { n: s.length, mean: s.length ? sum / s.length : Number.NaN, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? Number.NaN };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Rounds for display: 3 significant digits below 100, integers above. */
export function r(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  if (Math.abs(n) >= 100) return Math.round(n);
  return Number(n.toFixed(digits));
}

export function kb(bytes: number): number {
  return Number((bytes / 1024).toFixed(1));
}

export function table(title: string, rows: readonly Record<string, unknown>[], note?: string): void {
  console.log(`\n${title}`);
  if (rows.length === 0) console.log('  (no rows)');
  else console.table(rows);
  if (note) console.log(note.replace(/^/gm, '  '));
}
