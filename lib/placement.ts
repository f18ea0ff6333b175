/**
 * Which REST API serves each connector: stable, so no configuration change ever moves a connector
 * that is already deployed to another REST API (a new execute-api host, so a new Tenant URL that
 * Entra ID and Okta do not know). Pure (no CDK): lib/config.ts checks it at synth, lib/scim-stack.ts
 * builds the APIs from it, lib/source-fence.ts sizes each API's policy.
 *
 * API Gateway serves at most `scim:stagesPerApi` (10) stages per REST API, so a stack with more
 * connectors has several APIs: API 1 (construct `Api` in the root stack), API n ≥ 2 (`Api<n>` in
 * the nested stack `ApiGroup<n>`, REST API name `<stack>-<n>`). The number of an API never depends
 * on the other connectors, so its logical ids, and its stages', stay put.
 *
 * What the placement remembers lives in cdk.json, next to the connector, where a reviewer sees it:
 *  - a connector without `"api"` is on API 1 — every connector of a stack with up to 10;
 *  - a connector on any other API says so: `"api": 2`. The number is its REST API for good:
 *    removing or reordering other connectors cannot change it.
 * Without that memory a removal cannot be told from a list that was always shorter: positional
 * placement (connectors 1-10 on API 1, 11-20 on API 2, …, what releases before this one did) moved
 * every connector after a removed one. So when connectors without `"api"` do not fit on API 1,
 * synth refuses and names the `"api"` each must carry: the first ones in list order keep API 1, the
 * others get the lowest API with room, in list order. For a list written for an earlier release
 * (no `"api"` anywhere) that is exactly the positional placement it was deployed with, and after a
 * new connector was appended at the end of the list it is the new one that gets a new API.
 */
import type { ConnectorConfig } from '../lambdas/connectors/config.js';

/** The connector field that pins a connector to a REST API (`scim:connectors[].api`). */
export const API_FIELD = 'api';

export interface PlacedApi<C> {
  /** 1 = `Api` in the root stack; n ≥ 2 = `Api<n>` in the nested stack `ApiGroup<n>`. */
  readonly number: number;
  /** In list order. */
  readonly connectors: readonly C[];
}

/** What synth asks to write: `"api": <api>` on connector `index` of `scim:connectors`. */
export interface Pin {
  readonly index: number;
  readonly name: string;
  readonly api: number;
}

export class PlacementError extends Error {
  constructor(
    readonly problems: readonly string[],
    /** For connectors without `"api"` that do not fit on API 1: the `"api"` each must carry. */
    readonly pins: readonly Pin[],
  ) {
    super(problems.join('\n'));
    this.name = 'PlacementError';
  }
}

/** The construct scope of API `n`: the root stack (undefined) or the nested stack's id. */
export function apiNestedStackId(n: number): string | undefined {
  return n === 1 ? undefined : `ApiGroup${n}`;
}

/** The construct id of API `n` (lib/constructs/scim-api.ts) in its scope. */
export function apiConstructId(n: number): string {
  return n === 1 ? 'Api' : `Api${n}`;
}

/**
 * The prefix of the alarm and dashboard names of API `n`'s connectors: the stack's name for API 1
 * (the names a stack of up to 10 connectors always had), `<stack>_api<n>` for the others. `_`
 * cannot occur in a CloudFormation stack name, so neither a connector of API 1 (`<stack>-<c>-…`)
 * nor another stack of the account — e.g. a second stack named `Scim-2`, as README "Limits"
 * suggests — can ever take one of these names.
 */
export function observabilityPrefix(stackName: string, n: number): string {
  return n === 1 ? stackName : `${stackName}_api${n}`;
}

/** The REST API name of API `n`. */
export function restApiName(stackName: string, n: number): string {
  return n === 1 ? stackName : `${stackName}-${n}`;
}

/**
 * The REST APIs and the connectors each serves, by API number (only APIs with connectors).
 * Throws PlacementError when connectors without `"api"` overflow API 1 (with the pins that keep
 * today's placement) or when an API would serve more than `stagesPerApi` connectors.
 */
export function placeConnectors<C extends Pick<ConnectorConfig, 'name' | 'api'>>(connectors: readonly C[], stagesPerApi: number): PlacedApi<C>[] {
  const byApi = new Map<number, C[]>();
  const unpinned: { c: C; index: number }[] = [];
  connectors.forEach((c, index) => {
    if (c.api === undefined) unpinned.push({ c, index });
    else byApi.set(c.api, [...(byApi.get(c.api) ?? []), c]);
  });

  const problems: string[] = [];
  for (const [n, list] of [...byApi].sort(([a], [b]) => a - b)) {
    if (list.length <= stagesPerApi) continue;
    problems.push(
      `scim:connectors: REST API ${n} would serve ${list.length} connectors with "api": ${n} (${list.map((c) => c.name).join(', ')}), at most ${stagesPerApi} (scim:stagesPerApi). Keep the "api" of every connector already deployed (changing it changes its Tenant URL) and give the one you added ${roomText(byApi, unpinned.length, stagesPerApi)}`,
    );
  }
  if (problems.length > 0) throw new PlacementError(problems, []);

  // Unpinned connectors fill API 1's free places in list order; the rest need a pin.
  const api1 = byApi.get(1) ?? [];
  const free1 = stagesPerApi - api1.length;
  const stay = unpinned.slice(0, free1);
  const overflow = unpinned.slice(free1);
  if (overflow.length > 0) {
    const used = new Map([...byApi].map(([n, list]) => [n, list.length]));
    used.set(1, stagesPerApi);
    const pins: Pin[] = overflow.map(({ c, index }) => {
      let n = 2;
      while ((used.get(n) ?? 0) >= stagesPerApi) n++;
      used.set(n, (used.get(n) ?? 0) + 1);
      return { index, name: c.name, api: n };
    });
    throw new PlacementError(
      [
        `scim:connectors: ${overflow.length === 1 ? `connector ${overflow[0]!.c.name} has` : `${overflow.length} connectors (${overflow.map(({ c }) => c.name).join(', ')}) have`} no "api", and REST API 1 serves at most ${stagesPerApi} connectors (scim:stagesPerApi); a connector on another REST API must name it in cdk.json, or removing or reordering connectors would move it and change its Tenant URL`,
      ],
      pins,
    );
  }

  const apis = new Map<number, C[]>();
  const place = (n: number, c: C) => apis.set(n, [...(apis.get(n) ?? []), c]);
  const stays = new Set(stay.map(({ c }) => c));
  for (const c of connectors) {
    if (c.api !== undefined) place(c.api, c);
    else if (stays.has(c)) place(1, c);
  }
  return [...apis].sort(([a], [b]) => a - b).map(([number, list]) => ({ number, connectors: list }));
}

/** Where one more connector fits: `no "api"` (API 1 has room), `"api": 3 (7 free places)`, or a new API. */
function roomText(byApi: ReadonlyMap<number, readonly unknown[]>, unpinned: number, stagesPerApi: number): string {
  const options: string[] = [];
  const free1 = stagesPerApi - (byApi.get(1)?.length ?? 0) - unpinned;
  if (free1 > 0) options.push(`no "api" (REST API 1 has ${free1} free places)`);
  for (const [n, list] of [...byApi].sort(([a], [b]) => a - b)) {
    if (n !== 1 && list.length < stagesPerApi) options.push(`"api": ${n} (${stagesPerApi - list.length} free places)`);
  }
  let next = 2;
  while (byApi.has(next)) next++;
  options.push(`"api": ${next} (a new REST API)`);
  return options.join(' or ');
}
