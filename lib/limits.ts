/**
 * The AWS limits a synthesized deployment can reach, measured on the templates CDK wrote (root and
 * nested), never counted by hand: a construct someone adds later (an alarm, a route, a widget) is
 * measured like the others.
 *
 * Each limit has AWS's maximum and our budget (the maximum less a margin, 20 % for what grows with
 * connectors). bin/scim.ts fails `cdk synth` past AWS's maximum, with the limit's name and the way
 * out, before CloudFormation would fail mid-deploy; test/infra/limits.test.ts holds the largest
 * supported configuration (README "Limits") to the budgets. Sources: CloudFormation quotas
 * (template 1,000,000 bytes from S3, 500 resources, 200 outputs, 200 parameters, 200 mappings,
 * description 1,024 bytes), CloudWatch quotas (500 widgets per dashboard, 500 metrics per widget,
 * 2,500 per dashboard; alarm name 255 and description 1,024 characters, 10 metrics per math
 * alarm, 5 actions per state, period × evaluation periods ≤ 1 day, ≤ 7 days for hourly periods),
 * API Gateway quotas (10 stages, 300 resources and 10 authorizers per REST API, 200 API mappings
 * per custom domain), Lambda quotas (4 KB of environment variables, measured as their JSON).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
}
export interface TemplateJson {
  readonly Description?: string;
  readonly Resources?: Record<string, Resource>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
}

/** One template as CDK wrote it (`Scim.template.json`, `…nested.template.json`). */
export interface SynthesizedTemplate {
  readonly file: string;
  /** Bytes of the file CDK uploads (CloudFormation's 1,000,000 applies to it). */
  readonly bytes: number;
  readonly json: TemplateJson;
}

/** Every template of a cloud assembly directory (`cdk.out`). */
export function readTemplates(dir: string): SynthesizedTemplate[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file));
      return { file, bytes: text.length, json: JSON.parse(text.toString('utf8')) as TemplateJson };
    });
}

const SECOND_STACK = 'split the connectors over two stacks: deploy the rest with another scim:stackName (README "Limits")';

export interface Limit {
  readonly id: string;
  /** What AWS limits, as its documentation names it. */
  readonly name: string;
  readonly max: number;
  readonly budget: number;
  readonly wayOut: string;
}

/** AWS's limits (`max`) and ours (`budget`). */
export const LIMITS = {
  templateBytes: { id: 'templateBytes', name: 'CloudFormation template size (bytes)', max: 1_000_000, budget: 800_000, wayOut: SECOND_STACK },
  resources: { id: 'resources', name: 'CloudFormation resources per template', max: 500, budget: 450, wayOut: SECOND_STACK },
  outputs: { id: 'outputs', name: 'CloudFormation outputs per template', max: 200, budget: 180, wayOut: SECOND_STACK },
  parameters: { id: 'parameters', name: 'CloudFormation parameters per template', max: 200, budget: 180, wayOut: SECOND_STACK },
  mappings: { id: 'mappings', name: 'CloudFormation mappings per template', max: 200, budget: 180, wayOut: SECOND_STACK },
  descriptionBytes: { id: 'descriptionBytes', name: 'CloudFormation template description (bytes)', max: 1024, budget: 1024, wayOut: 'use shorter connector names' },
  dashboardWidgets: { id: 'dashboardWidgets', name: 'CloudWatch widgets per dashboard', max: 500, budget: 400, wayOut: SECOND_STACK },
  widgetMetrics: { id: 'widgetMetrics', name: 'CloudWatch metrics per dashboard widget', max: 500, budget: 400, wayOut: SECOND_STACK },
  dashboardMetrics: { id: 'dashboardMetrics', name: 'CloudWatch metrics per dashboard', max: 2500, budget: 2000, wayOut: SECOND_STACK },
  alarmNameChars: { id: 'alarmNameChars', name: 'CloudWatch alarm name (characters)', max: 255, budget: 255, wayOut: 'use a shorter connector name or scim:stackName' },
  alarmDescriptionChars: { id: 'alarmDescriptionChars', name: 'CloudWatch alarm description (characters)', max: 1024, budget: 1024, wayOut: 'use a shorter connector name' },
  alarmMathMetrics: { id: 'alarmMathMetrics', name: 'CloudWatch metrics per metric-math alarm', max: 10, budget: 10, wayOut: 'fewer metrics in the alarm expression' },
  alarmActions: { id: 'alarmActions', name: 'CloudWatch actions per alarm state', max: 5, budget: 5, wayOut: 'fewer actions per alarm' },
  alarmEvaluationSeconds: { id: 'alarmEvaluationSeconds', name: 'CloudWatch alarm period × evaluation periods (seconds; 7 days for periods of an hour or more)', max: 86_400, budget: 86_400, wayOut: 'a lower scim:idleAlarmHours' },
  stagesPerApi: { id: 'stagesPerApi', name: 'API Gateway stages per REST API', max: 10, budget: 10, wayOut: 'a lower scim:stagesPerApi' },
  resourcesPerApi: { id: 'resourcesPerApi', name: 'API Gateway resources per REST API', max: 300, budget: 240, wayOut: 'fewer distinct basePath values per REST API' },
  authorizersPerApi: { id: 'authorizersPerApi', name: 'API Gateway authorizers per REST API', max: 10, budget: 8, wayOut: 'fewer authorizers' },
  mappingsPerDomain: { id: 'mappingsPerDomain', name: 'API Gateway API mappings per custom domain', max: 200, budget: 160, wayOut: SECOND_STACK + ', with another scim:customDomain' },
  // No margin: it grows only with the connector list and names (measured exactly), not with features.
  lambdaEnvBytes: { id: 'lambdaEnvBytes', name: 'Lambda environment variables (bytes, as JSON)', max: 4096, budget: 4096, wayOut: `shorter connector names or webhook URLs, or ${SECOND_STACK}` },
} as const satisfies Record<string, Limit>;

/** One measured value against its limit. */
export interface Measure {
  readonly limit: Limit;
  /** `Scim.template.json`, `…/AlarmLogicalId`. */
  readonly where: string;
  readonly value: number;
  /** The limit that applies to this value when it differs from `limit.max` (alarm evaluation range). */
  readonly max?: number;
}

/** Length of a CloudFormation value once deployed: intrinsics count as `tokenChars` (an ARN, a name). */
function resolvedLength(v: unknown, tokenChars = 128): number {
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v).length;
  if (v && typeof v === 'object') {
    const join = (v as Json)['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].reduce<number>((n, p) => n + resolvedLength(p, tokenChars), join[0].length * Math.max(0, join[1].length - 1));
    return tokenChars;
  }
  return 0;
}

/** A dashboard body's JSON with every intrinsic as a short placeholder (its widgets and metrics are literal). */
function dashboardBody(v: unknown): string {
  if (typeof v === 'string') return v;
  const join = (v as Json)['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(dashboardBody).join(join[0]);
  return 'token';
}

function* measureTemplate(t: SynthesizedTemplate): Generator<Measure> {
  const L = LIMITS;
  const resources = Object.entries(t.json.Resources ?? {});
  yield { limit: L.templateBytes, where: t.file, value: t.bytes };
  yield { limit: L.resources, where: t.file, value: resources.length };
  yield { limit: L.outputs, where: t.file, value: Object.keys(t.json.Outputs ?? {}).length };
  yield { limit: L.parameters, where: t.file, value: Object.keys(t.json.Parameters ?? {}).length };
  yield { limit: L.mappings, where: t.file, value: Object.keys(t.json.Mappings ?? {}).length };
  yield { limit: L.descriptionBytes, where: t.file, value: Buffer.byteLength(t.json.Description ?? '') };

  const perApi = new Map<string, { stages: number; resources: number; authorizers: number }>();
  const api = (ref: unknown) => {
    const key = JSON.stringify(ref);
    let a = perApi.get(key);
    if (!a) perApi.set(key, (a = { stages: 0, resources: 0, authorizers: 0 }));
    return a;
  };
  const mappingsPerDomain = new Map<string, number>();
  for (const [id, r] of resources) {
    const p = r.Properties ?? {};
    const where = `${t.file}/${id}`;
    switch (r.Type) {
      case 'AWS::CloudWatch::Alarm': {
        yield { limit: L.alarmNameChars, where, value: resolvedLength(p.AlarmName) };
        yield { limit: L.alarmDescriptionChars, where, value: resolvedLength(p.AlarmDescription ?? '') };
        const metrics = (p.Metrics as Json[] | undefined) ?? [];
        yield { limit: L.alarmMathMetrics, where, value: metrics.filter((m) => m.MetricStat !== undefined).length };
        for (const k of ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const) {
          yield { limit: L.alarmActions, where: `${where}.${k}`, value: ((p[k] as unknown[] | undefined) ?? []).length };
        }
        const period = Number(p.Period ?? (metrics.find((m) => m.MetricStat) as { MetricStat?: { Period?: number } } | undefined)?.MetricStat?.Period ?? 0);
        const evaluation = period * Number(p.EvaluationPeriods ?? 1);
        yield { limit: L.alarmEvaluationSeconds, where, value: evaluation, max: period >= 3600 ? 7 * 86_400 : 86_400 };
        break;
      }
      case 'AWS::CloudWatch::Dashboard': {
        const body = JSON.parse(dashboardBody(p.DashboardBody)) as { widgets: { properties?: { metrics?: unknown[] } }[] };
        yield { limit: L.dashboardWidgets, where, value: body.widgets.length };
        let all = 0;
        for (const w of body.widgets) {
          const n = w.properties?.metrics?.length ?? 0;
          all += n;
          if (n > 0) yield { limit: L.widgetMetrics, where, value: n };
        }
        yield { limit: L.dashboardMetrics, where, value: all };
        break;
      }
      case 'AWS::ApiGateway::Stage':
        api(p.RestApiId).stages++;
        break;
      case 'AWS::ApiGateway::Resource':
        api(p.RestApiId).resources++;
        break;
      case 'AWS::ApiGateway::Authorizer':
        api(p.RestApiId).authorizers++;
        break;
      case 'AWS::ApiGateway::BasePathMapping': {
        const key = JSON.stringify(p.DomainName);
        mappingsPerDomain.set(key, (mappingsPerDomain.get(key) ?? 0) + 1);
        break;
      }
      case 'AWS::Lambda::Function': {
        const vars = ((p.Environment as Json | undefined)?.Variables as Json | undefined) ?? {};
        // Lambda measures the variables as a JSON object; a reference counts as a 128-character value.
        const literal = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : 'x'.repeat(resolvedLength(v))]));
        yield { limit: L.lambdaEnvBytes, where, value: Buffer.byteLength(JSON.stringify(literal)) };
        break;
      }
    }
  }
  for (const [ref, a] of perApi) {
    const where = `${t.file}/${ref.replace(/[^A-Za-z0-9]/g, '')}`;
    yield { limit: L.stagesPerApi, where, value: a.stages };
    yield { limit: L.resourcesPerApi, where, value: a.resources };
    yield { limit: L.authorizersPerApi, where, value: a.authorizers };
  }
  for (const [ref, n] of mappingsPerDomain) yield { limit: L.mappingsPerDomain, where: `${t.file}/${ref.replace(/[^A-Za-z0-9]/g, '')}`, value: n };
}

/** Every measure of every template. */
export function measureLimits(templates: readonly SynthesizedTemplate[]): Measure[] {
  return templates.flatMap((t) => [...measureTemplate(t)]);
}

/** The largest value per limit, with where it was measured (the README's figures, the test's report). */
export function highestPerLimit(measures: readonly Measure[]): Map<string, Measure> {
  const out = new Map<string, Measure>();
  for (const m of measures) {
    const best = out.get(m.limit.id);
    if (!best || m.value / (m.max ?? m.limit.max) > best.value / (best.max ?? best.limit.max)) out.set(m.limit.id, m);
  }
  return out;
}

/** Measures over AWS's maximum (`max`) or over our budget (`budget`), one readable line each. */
export function limitProblems(measures: readonly Measure[], against: 'max' | 'budget'): string[] {
  return measures
    .filter((m) => m.value > (m.max ?? m.limit[against]))
    .map((m) => {
      const bound = m.max ?? m.limit[against];
      return `${m.where}: ${m.limit.name} is ${m.value}, over ${against === 'max' ? "AWS's limit" : 'the budget'} of ${bound}${against === 'budget' ? ` (AWS's limit: ${m.max ?? m.limit.max})` : ''}: ${m.limit.wayOut}`;
    });
}

export class LimitError extends Error {
  constructor(readonly problems: string[]) {
    super(`the synthesized templates would fail to deploy:\n  ${problems.join('\n  ')}`);
    this.name = 'LimitError';
  }
}

/** Throws a LimitError when a template of `dir` exceeds an AWS limit. */
export function assertWithinLimits(dir: string): void {
  const problems = limitProblems(measureLimits(readTemplates(dir)), 'max');
  if (problems.length > 0) throw new LimitError(problems);
}
