/**
 * The deployed connection status from CloudWatch Logs (FilterLogEvents mocked: CloudWatch Logs
 * cannot run here): the access log lines make the counts and phases, the handlers' failure lines
 * add the scimType, gateway errors keep their message, answers are cached.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchStatus } from '../../../lambdas/setup/cloudwatch-status.js';

const logs = mockClient(CloudWatchLogsClient);
const NOW = Date.parse('2026-01-02T00:00:00Z');
const GROUPS = { access: 'access', handlers: ['users-logs'] };
const ev = (at: number, line: Record<string, unknown>) => ({ timestamp: at, message: JSON.stringify(line) });

beforeEach(() => logs.reset());

describe('CloudWatchStatus', () => {
  it('reads the connector\'s access lines and its failures\' scimType', async () => {
    logs.on(FilterLogEventsCommand, { logGroupName: 'access' }).resolves({
      events: [
        ev(NOW - 60_000, { stage: 'app', httpMethod: 'GET', status: 401, errorMessage: 'Unauthorized' }),
        ev(NOW - 50_000, { stage: 'app', httpMethod: 'GET', status: 200, errorMessage: '-' }),
        ev(NOW - 40_000, { stage: 'app', httpMethod: 'POST', status: 409, errorMessage: '-' }),
      ],
    });
    logs.on(FilterLogEventsCommand, { logGroupName: 'users-logs' }).resolves({ events: [ev(NOW - 40_010, { connector: 'app', outcome: 'failure', status: 409, scimType: 'uniqueness' })] });
    const s = await new CloudWatchStatus(new CloudWatchLogsClient({ region: 'eu-west-1' }), GROUPS, () => NOW).status('app');
    expect(s).toMatchObject({ phase: 'connected', requests: 3, failed: 2, lastSuccessAt: new Date(NOW - 50_000).toISOString() });
    expect(s.failures).toEqual([
      { at: new Date(NOW - 40_000).toISOString(), status: 409, scimType: 'uniqueness' },
      { at: new Date(NOW - 60_000).toISOString(), status: 401, detail: 'Unauthorized' },
    ]);
    const access = logs.commandCalls(FilterLogEventsCommand, { logGroupName: 'access' })[0]!.args[0].input;
    expect(access).toMatchObject({ filterPattern: '{ $.stage = "app" }', startTime: NOW - 24 * 3600_000, endTime: NOW });
  });

  it('asks CloudWatch at most once per 10 s per connector', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    let now = NOW;
    const status = new CloudWatchStatus(new CloudWatchLogsClient({ region: 'eu-west-1' }), GROUPS, () => now);
    expect((await status.status('app')).phase).toBe('waiting');
    now += 5_000;
    await status.status('app');
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(2);
    now += 10_000;
    await status.status('app');
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(4);
  });

  it('refuses a connector name it cannot put in a filter pattern', async () => {
    await expect(new CloudWatchStatus(new CloudWatchLogsClient({ region: 'eu-west-1' }), GROUPS, () => NOW).status('a"b')).rejects.toThrow(/cannot be filtered/);
  });
});
