/**
 * Shared by the infra tests: synthesise the app in-process (once per test file — synth is the slow
 * part) and read the template the way a reviewer would: "which function does this route reach",
 * "what may this role do". Bundling is skipped with CDK's own `aws:cdk:bundling-stacks` context
 * (the functions get a placeholder asset) except in bundling.test.ts, which bundles for real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestedStack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createScimApp } from '../../lib/app.js';
import type { ScimStack } from '../../lib/scim-stack.js';

export type Json = Record<string, unknown>;

export interface Synthesised {
  readonly stack: ScimStack;
  readonly template: Template;
  readonly json: { Resources: Record<string, { Type: string; Properties?: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] }>; Outputs?: Record<string, { Value: unknown; Description?: string }> };
  readonly app: ReturnType<typeof createScimApp>['app'];
  /** Resources of the parent and of every nested stack. */
  readonly all: Synthesised['json']['Resources'];
  readonly nested: { id: string; json: Synthesised['json'] }[];
}

export function synth(context: Record<string, unknown>, options: { bundle?: boolean; nag?: boolean } = {}): Synthesised {
  const { app, stack } = createScimApp({
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
    outdir: mkdtempSync(join(tmpdir(), 'scim-cdk-')),
    nag: options.nag ?? false,
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as Synthesised['json'];
  const nested = stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));
  const nestedJson = nested.map((n) => ({ id: n.node.id, json: Template.fromStack(n).toJSON() as Synthesised['json'] }));
  // Every resource of the parent and its nested stacks (nested logical ids prefixed `<nested id>/`).
  const all = { ...json.Resources };
  for (const n of nestedJson) for (const [id, r] of Object.entries(n.json.Resources)) all[`${n.id}/${id}`] = r;
  return { app, stack, template, json, all, nested: nestedJson };
}

export function logicalId(stack: ScimStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnResource);
}

/** Resources of a type in the parent stack (`all`: with the nested stacks, ids `<nested>/<id>`). */
export function resourcesOfType(s: Synthesised, type: string, scope: 'parent' | 'all' = 'parent'): [string, Json][] {
  return Object.entries(scope === 'all' ? s.all : s.json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** `/scim/v2/Users/{id}` for an AWS::ApiGateway::Resource (or `/` for the API root). */
export function resourcePath(s: Synthesised, resourceId: unknown): string {
  const ref = (resourceId as { Ref?: string }).Ref;
  if (!ref) return '/'; // Fn::GetAtt [Api, RootResourceId]
  const r = s.json.Resources[ref];
  if (!r || r.Type !== 'AWS::ApiGateway::Resource') throw new Error(`not a resource: ${ref}`);
  const parent = resourcePath(s, r.Properties?.ParentId);
  return `${parent === '/' ? '' : parent}/${String(r.Properties?.PathPart)}`;
}

/** The logical id of the function an AWS_PROXY integration invokes. */
export function integrationFunction(method: Json): string | undefined {
  const text = JSON.stringify((method.Integration as Json | undefined)?.Uri ?? '');
  return /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(text)?.[1];
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every IAM statement that applies to a role (inline policies and attached AWS::IAM::Policy). */
export function roleStatements(s: Synthesised, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  const role = s.json.Resources[roleLogicalId];
  for (const p of (role?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []) {
    out.push(...p.PolicyDocument.Statement);
  }
  for (const [, p] of resourcesOfType(s, 'AWS::IAM::Policy')) {
    const roles = (p.Roles as { Ref?: string }[]) ?? [];
    if (roles.some((r) => r.Ref === roleLogicalId)) out.push(...(p.PolicyDocument as { Statement: Statement[] }).Statement);
  }
  return out;
}

export function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
}

/**
 * A Fn::Join of literals and tokens as one string, tokens rendered as `«Ref»`/`«GetAtt»` markers
 * (valid inside JSON strings), e.g. to JSON.parse a dashboard body.
 */
export function flattenJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flattenJoin).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `«${ref}»`;
  return '«token»';
}
