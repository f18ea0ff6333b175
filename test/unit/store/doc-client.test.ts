import { Readable } from 'node:stream';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { resolvedOnceDocumentClient } from '../../../lambdas/store/doc-client.js';

/** A request handler that answers GetItem with the requested key as the item and records each body. */
function echoHandler(bodies: Record<string, unknown>[]) {
  return {
    handle: async (req: { body: string | Uint8Array }) => {
      const body = JSON.parse(typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body)) as Record<string, unknown>;
      bodies.push(body);
      const out = body.Key ? { Item: { ...(body.Key as object), seen: { N: String(bodies.length) } } } : {};
      return {
        response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(JSON.stringify(out))]) },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}

function client(bodies: Record<string, unknown>[]) {
  return resolvedOnceDocumentClient(
    { region: 'local', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, requestHandler: echoHandler(bodies) },
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

describe('resolvedOnceDocumentClient', () => {
  it('sends each command with its own input through the once-resolved stack (marshalled and unmarshalled)', async () => {
    const bodies: Record<string, unknown>[] = [];
    const doc = client(bodies);
    const [a, b] = await Promise.all([
      doc.send(new GetCommand({ TableName: 't', Key: { PK: 'a', SK: 1 } })),
      doc.send(new GetCommand({ TableName: 't', Key: { PK: 'b', SK: 2 } })),
    ]);
    const c = await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'c', SK: 3 } }));
    expect([a.Item, b.Item, c.Item]).toEqual([
      { PK: 'a', SK: 1, seen: 1 },
      { PK: 'b', SK: 2, seen: 2 },
      { PK: 'c', SK: 3, seen: 3 },
    ]);
    await doc.send(new PutCommand({ TableName: 't', Item: { PK: 'x', gone: undefined } }));
    expect(bodies.map((x) => x.Key ?? x.Item)).toEqual([
      { PK: { S: 'a' }, SK: { N: '1' } },
      { PK: { S: 'b' }, SK: { N: '2' } },
      { PK: { S: 'c' }, SK: { N: '3' } },
      { PK: { S: 'x' } },
    ]);
    doc.destroy();
  });

  it('sees middleware added to the client before the first call', async () => {
    const doc = client([]);
    const seen: string[] = [];
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        seen.push(String((context as { commandName?: string }).commandName));
        return next(args);
      },
      { step: 'initialize', name: 'spy' },
    );
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'a' } }));
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'b' } }));
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'c' } }), {});
    expect(seen).toEqual(['GetItemCommand', 'GetItemCommand', 'GetItemCommand']);
    doc.destroy();
  });
});
