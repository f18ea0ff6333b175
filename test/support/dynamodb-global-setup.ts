/**
 * Vitest global setup for the int and e2e projects: one DynamoDB Local per run, in memory, on an
 * ephemeral loopback port. Tests read its endpoint from DYNAMODB_ENDPOINT (see test/support/ddb.ts,
 * which refuses any non-loopback endpoint).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local.js';

let ddb: DynamoDbLocal | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ddb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', ddb.endpoint);
  process.env.DYNAMODB_ENDPOINT = ddb.endpoint;
  return async () => {
    await ddb?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
