/**
 * No AWS region anywhere (no --region, no AWS_REGION, no profile with one): the SDK's bare
 * "Region is missing" becomes what to set, with the credentials/permissions exit code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../bin/admin/backend.js';
import { runCli } from '../../support/cli.js';

const VARS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const;
let saved: Partial<Record<(typeof VARS)[number], string>>;

beforeEach(() => {
  saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  for (const v of VARS) delete process.env[v];
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
});
afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

describe('scim-admin without a region', () => {
  it('says to pass --region or set AWS_REGION and exits 4', async () => {
    const r = await runCli(['connectors', '--stack', 'Scim']);
    expect(r.stderr).toContain('pass --region <region>');
    expect(r.stderr).toContain('AWS_REGION');
    expect(r.stderr).not.toContain('Error: Region is missing');
    expect(r.code).toBe(EXIT.auth);
  });
});
