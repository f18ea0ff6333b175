/**
 * Stable placement (lib/placement.ts, README "Add a connector"): adding, removing or reordering
 * connectors never moves another connector to another REST API or stage — never changes its
 * Tenant URL — and a list written for an earlier release keeps the placement it was deployed with.
 *
 * The workflow is the documented one, driven through the same configuration check `cdk synth` runs
 * (readDeploymentConfig): edit `scim:connectors`, synth; when synth refuses, paste the entries it
 * prints and synth again. Identity of a connector's stage = (stack, REST API construct, stage name),
 * which is what its logical ids are made of; the last case checks it on a synthesized template.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeploymentConfigError, readDeploymentConfig } from '../../lib/config.js';
import { apiConstructId, apiNestedStackId, placeConnectors, PlacementError } from '../../lib/placement.js';
import { synth } from './helpers.js';
import { LARGE_CONFIG, readRecord, statefulResources, type StatefulResource } from './stateful-resources.js';

type Entry = { name: string; api?: number } & Record<string, unknown>;
type Context = Record<string, unknown> & { 'scim:connectors': Entry[] };

/** How releases before `"api"` placed connectors: in list order, `size` per REST API. */
function positional(names: readonly string[], size: number): Map<string, number> {
  return new Map(names.map((n, i) => [n, Math.floor(i / size) + 1]));
}

/** `cdk synth` as a user runs it: on a placement refusal, paste the printed entries, synth again. */
function synthWorkflow(context: Context): { context: Context; placement: Map<string, number>; pasted: string[] } {
  const read = (ctx: Context) => readDeploymentConfig((k) => ctx[k]);
  let pasted: string[] = [];
  try {
    read(context);
  } catch (e) {
    if (!(e instanceof DeploymentConfigError)) throw e;
    const lines = e.message.split('\n').filter((l) => /^ {4}\{ /.test(l));
    if (lines.length === 0) throw e;
    const byName = new Map(lines.map((l) => JSON.parse(l) as Entry).map((entry) => [entry.name, entry]));
    pasted = [...byName.keys()];
    context = { ...context, 'scim:connectors': context['scim:connectors'].map((c) => byName.get(c.name) ?? c) };
  }
  const config = read(context); // pasting what synth asked for must be enough
  const placement = new Map<string, number>();
  for (const api of placeConnectors(config.connectors, config.stagesPerApi)) {
    expect(api.connectors.length).toBeLessThanOrEqual(config.stagesPerApi);
    for (const c of api.connectors) placement.set(c.name, api.number);
  }
  expect([...placement.keys()].sort()).toEqual(config.connectors.map((c) => c.name).sort());
  return { context, placement, pasted };
}

/** What a stage's logical ids are made of. */
const stageIdentity = (name: string, api: number) => `${apiNestedStackId(api) ?? '(root stack)'}/${apiConstructId(api)}/Stage-${name}`;

const names = (n: number) => Array.from({ length: n }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);
const contextOf = (list: readonly string[], stagesPerApi?: number): Context => ({
  'scim:connectors': list.map((name) => ({ name })),
  ...(stagesPerApi ? { 'scim:stagesPerApi': stagesPerApi } : {}),
});

describe('a list written for an earlier release keeps its placement', () => {
  it.each([1, 10, 11, 23, 60])('%i connectors: every one on the REST API the positional placement gave it', (n) => {
    const list = names(n);
    const { placement, pasted } = synthWorkflow(contextOf(list));
    expect(placement).toEqual(positional(list, 10));
    // Up to 10 connectors nothing changes in cdk.json; past 10, exactly the connectors on API 2+ get an "api".
    expect(pasted).toEqual(list.slice(10));
  });

  it('with scim:stagesPerApi below 10, too', () => {
    const list = names(7);
    expect(synthWorkflow(contextOf(list, 3)).placement).toEqual(positional(list, 3));
  });

  it('the refusal names each connector and prints its own entry with "api" added (other fields kept)', () => {
    const context: Context = { 'scim:connectors': [...names(10).map((name) => ({ name })), { name: 'jostle', profile: 'jostle', alarmEmail: 'ops@example.com' }] };
    let message = '';
    try {
      readDeploymentConfig((k) => context[k]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('connector jostle has no "api"');
    expect(message).toContain('\n    { "name": "jostle", "api": 2, "profile": "jostle", "alarmEmail": "ops@example.com" }');
  });

  it('an API over its capacity is refused, naming the API and where a new connector fits', () => {
    const context: Context = { 'scim:connectors': [{ name: 'a' }, { name: 'b', api: 2 }, { name: 'c', api: 2 }, { name: 'd', api: 2 }], 'scim:stagesPerApi': 2 };
    expect(() => readDeploymentConfig((k) => context[k])).toThrow(/REST API 2 would serve 3 connectors with "api": 2 \(b, c, d\), at most 2[\s\S]*no "api" \(REST API 1 has 1 free places\) or "api": 3 \(a new REST API\)/);
    expect(() => placeConnectors(context['scim:connectors'], 2)).toThrow(PlacementError);
  });
});

describe('adding, removing and reordering never moves a deployed connector', () => {
  // Moves compose into any reordering; `reverse` gets there in one step.
  type Op = { kind: 'add' } | { kind: 'remove'; at: number } | { kind: 'move'; from: number; to: number } | { kind: 'reverse' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant<Op>({ kind: 'add' }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('move' as const), from: fc.nat(), to: fc.nat() }),
    fc.constant<Op>({ kind: 'reverse' }),
  );

  it('every connector still present keeps (stack, REST API, stage name)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 10 }), fc.array(op, { maxLength: 25 }), (initial, stagesPerApi, ops) => {
        // The deployment of an earlier release: positional placement.
        let context = contextOf(names(initial), stagesPerApi);
        const deployed = new Map([...positional(names(initial), stagesPerApi)].map(([n, api]) => [n, stageIdentity(n, api)]));
        let next = initial + 1;
        const deploy = () => {
          const r = synthWorkflow(context);
          context = r.context;
          for (const [name, api] of r.placement) {
            const before = deployed.get(name);
            if (before !== undefined) expect(stageIdentity(name, api), name).toBe(before);
            else deployed.set(name, stageIdentity(name, api));
          }
          for (const name of deployed.keys()) if (!r.placement.has(name)) deployed.delete(name);
        };
        deploy(); // the upgrade
        for (const o of ops) {
          const list = context['scim:connectors'];
          if (o.kind === 'add') {
            if (list.length >= 60) continue;
            // README "Add a connector": at the end, without "api".
            context = { ...context, 'scim:connectors': [...list, { name: `new-${next++}` }] };
          } else if (o.kind === 'remove') {
            if (list.length <= 1) continue;
            context = { ...context, 'scim:connectors': list.filter((_, i) => i !== o.at % list.length) };
          } else if (o.kind === 'move') {
            const moved = [...list];
            const [c] = moved.splice(o.from % list.length, 1);
            moved.splice(o.to % list.length, 0, c!);
            context = { ...context, 'scim:connectors': moved };
          } else {
            context = { ...context, 'scim:connectors': [...list].reverse() };
          }
          deploy();
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('on a synthesized template', () => {
  // The 23-connector deployment recorded in stateful-resources.json (app-11…app-23 with their
  // "api"), then: remove app-03 (API 1) and app-15 (API 2), reverse the list, append two new ones.
  let before: StatefulResource[];
  let after: StatefulResource[];
  let pasted: string[];
  beforeAll(() => {
    before = readRecord().large!;
    const list = [...(LARGE_CONFIG['scim:connectors'] as Entry[])].filter((c) => c.name !== 'app-03' && c.name !== 'app-15').reverse();
    const r = synthWorkflow({ ...LARGE_CONFIG, 'scim:connectors': [...list, { name: 'app-24' }, { name: 'app-25' }] });
    pasted = r.pasted;
    after = statefulResources(synth(r.context).stack);
  });

  const stagesAndMappings = (list: StatefulResource[]) =>
    new Map(
      list
        .filter((r) => r.type === 'AWS::ApiGateway::Stage' || r.type === 'AWS::ApiGateway::BasePathMapping')
        .map((r) => [`${r.type} ${String(r.identity.StageName ?? r.identity.BasePath)}`, r]),
    );

  it('every remaining connector keeps its stage and base-path mapping: same stack, logical id, REST API and name', () => {
    const was = stagesAndMappings(before);
    const now = stagesAndMappings(after);
    for (const [key, r] of was) {
      if (/app-(03|15)$/.test(key)) expect(now.has(key), key).toBe(false);
      else expect(now.get(key), key).toEqual(r);
    }
  });

  it('the new connectors fill the places the removed ones left: app-24 on API 1 as is, app-25 on API 2 once pasted', () => {
    expect(pasted).toEqual(['app-25']);
    const now = stagesAndMappings(after);
    expect(now.get('AWS::ApiGateway::Stage app-24')).toMatchObject({ stack: 'ScimLarge', identity: { RestApiId: { Ref: 'ApiCD79AAA0' } } });
    expect(now.get('AWS::ApiGateway::Stage app-25')?.stack).toMatch(/^ScimLarge\/ApiGroup2NestedStack/);
  });
});
