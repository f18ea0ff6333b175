/**
 * The largest documented configuration (test/infra/max-config.ts: 60 connectors, every option on)
 * synthesised once, every template (root and nested) measured by lib/limits.ts against our budgets
 * (AWS's limits less a margin); and the synth-time check that stops a template past AWS's limits
 * with the limit's name and the way out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTORS, readDeploymentConfig } from '../../lib/config.js';
import { highestPerLimit, LIMITS, limitProblems, measureLimits, readTemplates, type SynthesizedTemplate } from '../../lib/limits.js';
import { nestedDescription } from '../../lib/scim-stack.js';
import { MAX_CONTEXT, maxConnectorName } from './max-config.js';
import { synth, type Synthesised } from './helpers.js';

let s: Synthesised;
let templates: SynthesizedTemplate[];

beforeAll(() => {
  s = synth(MAX_CONTEXT);
  templates = readTemplates(s.app.synth().directory);
});

describe(`${MAX_CONNECTORS} connectors with every option on`, () => {
  it('every template, root and nested, within every budget (printed for the README)', () => {
    const measures = measureLimits(templates);
    const report = [...highestPerLimit(measures).values()].map((m) => `${m.limit.name}: ${m.value} (budget ${m.limit.budget}, AWS ${m.max ?? m.limit.max}) at ${m.where}`);
    console.log(`${templates.map((t) => `${t.file}: ${t.bytes} bytes, ${Object.keys(t.json.Resources ?? {}).length} resources, ${Object.keys(t.json.Outputs ?? {}).length} outputs`).join('\n')}\n${report.join('\n')}`);
    expect(limitProblems(measures, 'budget')).toEqual([]);
    // Every limit was measured somewhere (a limit nobody measures protects nothing).
    expect([...highestPerLimit(measures).keys()].sort()).toEqual(Object.keys(LIMITS).sort());
  });

  it('the root and one nested stack per further REST API, plus the first API\'s safety alarms, the setup page and the webhooks', () => {
    expect(templates.map((t) => t.file.replace(/[0-9A-F]{8}\.nested/, '.nested'))).toEqual([
      'Scim.template.json',
      'ScimApiGroup2.nested.template.json',
      'ScimApiGroup3.nested.template.json',
      'ScimApiGroup4.nested.template.json',
      'ScimApiGroup5.nested.template.json',
      'ScimApiGroup6.nested.template.json',
      'ScimObservabilityConnectorSafety.nested.template.json',
      'ScimSetupStack.nested.template.json',
      'ScimWebhooksStack.nested.template.json',
    ]);
  });

  it('the first REST API\'s connectors keep their alarm names in the stack; the others have theirs, and a dashboard, in their API\'s nested stack', () => {
    const alarmNames = (t: SynthesizedTemplate) =>
      Object.values(t.json.Resources ?? {}).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => String(r.Properties?.AlarmName));
    const root = alarmNames(templates[0]!);
    expect(root).toContain(`Scim-${maxConnectorName(0)}-5xx-rate`);
    expect(root.some((n) => n.includes(maxConnectorName(10)))).toBe(false);
    expect(alarmNames(templates[1]!)).toContain(`Scim_api2-${maxConnectorName(10)}-5xx-rate`);
    const dashboards = templates.flatMap((t) => Object.values(t.json.Resources ?? {}).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(6);
    // The stack's dashboard keeps its name (a renamed dashboard would be a new one).
    const rootDashboards = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(rootDashboards.map((r) => JSON.stringify(r.Properties?.DashboardName))).toEqual(['{"Fn::Join":["-",[{"Ref":"AWS::StackName"},{"Ref":"AWS::Region"}]]}']);
    expect(JSON.stringify(Object.values(templates[1]!.json.Resources ?? {}).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')?.Properties?.DashboardName)).toBe('{"Fn::Join":["",["Scim_api2-",{"Ref":"AWS::Region"}]]}');
    // Unique in the stack, and out of reach of a second stack: a stack name cannot contain `_`, so a
    // second stack `Scim-2` (README "Limits") names its alarms `Scim-2-<c>-…`, never `Scim_api2-…`.
    const all = templates.flatMap(alarmNames);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((n) => !n.startsWith('Scim-') && !/^Scim_api[2-6]-/.test(n))).toEqual([]);
    expect(all.filter((n) => n.startsWith('Scim-2-'))).toEqual([]);
  });
});

describe('past the documented maximum', () => {
  it(`${MAX_CONNECTORS + 1} connectors: the configuration is refused, naming the way out (a second stack)`, () => {
    const ctx: Record<string, unknown> = { ...MAX_CONTEXT, 'scim:connectors': Array.from({ length: MAX_CONNECTORS + 1 }, (_, i) => ({ name: maxConnectorName(i), ...(i >= 10 ? { api: Math.floor(i / 10) + 1 } : {}) })) };
    expect(() => readDeploymentConfig((k) => ctx[k])).toThrow(/at most 60 per stack .*scim:stackName/);
  });

  it('a template past an AWS limit: one line with the template, the limit, the figure and the way out', () => {
    const big: SynthesizedTemplate = {
      file: 'Scim.template.json',
      bytes: 1_000_001,
      json: { Resources: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`R${i}`, { Type: 'AWS::SNS::Topic' }])) },
    };
    expect(limitProblems(measureLimits([big]), 'max')).toEqual([
      "Scim.template.json: CloudFormation template size (bytes) is 1000001, over AWS's limit of 1000000: split the connectors over two stacks: deploy the rest with another scim:stackName (README \"Limits\")",
      "Scim.template.json: CloudFormation resources per template is 501, over AWS's limit of 500: split the connectors over two stacks: deploy the rest with another scim:stackName (README \"Limits\")",
    ]);
  });

  it('bin/scim.ts runs the check after every synth and prints it without a stack trace', () => {
    const entry = readFileSync(join(import.meta.dirname, '..', '..', 'bin', 'scim.ts'), 'utf8');
    expect(entry).toMatch(/assertWithinLimits\(createScimApp\(\)\.app\.synth\(\)\.directory\)/);
    expect(entry).toMatch(/instanceof LimitError/);
  });
});

describe('long connector names', () => {
  it('a nested stack\'s description stays within what CDK and CloudFormation accept (10 names of 128 characters)', () => {
    const text = `SCIM REST API 2: ${Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(128, 'x')).join(', ')}`;
    expect(nestedDescription(text).length).toBeLessThanOrEqual(512);
    expect(nestedDescription('SCIM REST API 2: a, b')).toBe('SCIM REST API 2: a, b');
  });
});
