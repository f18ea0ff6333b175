/** Runs `scim-admin` in-process with captured stdout/stderr (the admin CLI tests share it). */
import { Writable } from 'node:stream';
import { run, type CliDeps } from '../../bin/admin/cli.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A writable that keeps what is written, as text. */
export function capture(): { w: Writable; text: () => string } {
  const chunks: string[] = [];
  return { w: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c.toString()), cb()) }), text: () => chunks.join('') };
}

/** `scim-admin <args>`; `deps` as the CLI takes them (a fixed clock, a backend). */
export async function runCli(args: readonly string[], deps: CliDeps = {}): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const code = await run([...args], { stdout: stdout.w, stderr: stderr.w }, deps);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The deployed-stack target the mocked AWS tests use. */
export const DEPLOYED = ['--stack', 'Scim', '--region', 'eu-west-1'] as const;
