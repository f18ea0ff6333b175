/**
 * The handlers' DynamoDB document client, minus two per-call costs of the SDK that profiling showed
 * to be the largest part of a handler's own time (test/bench, measure 2):
 *
 *  - Middleware resolution. `send` re-assembles, sorts and resolves the whole middleware stack
 *    (~20 middlewares) for every call, about 50 µs per call. The SDK's answer, the client option
 *    `cacheMiddleware`, resolves once per command class, but lib-dynamodb refuses it: its commands'
 *    resolved handler closes over the first command instance. Here the document command's marshalling
 *    middleware is added and the underlying client command's stack is resolved once per command
 *    class, and every call runs that handler on its own client command (whose `input` is the only
 *    per-call state the stack reads), exactly what `cacheMiddleware` does for a plain client. Like
 *    `cacheMiddleware`, middleware added to the client after its first call is not seen (the local
 *    gateway's instrumentation attaches before any call); `send` with options or a callback, and
 *    anything but a lib-dynamodb command, takes the SDK's ordinary path.
 *  - The SDK's logger middleware. With no logger configured the SDK logs to a no-op logger, but the
 *    middleware still walks the input and output of every call through the schema's log filter
 *    first. Without a configured logger it is removed from the stack; nothing else reads its output.
 *
 * Marshalling, retries, signing, endpoints and errors are the SDK's own, unchanged.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, DynamoDBDocumentClientCommand, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { noteOperation } from './errors.js';

type Handler = (command: unknown) => Promise<{ output: unknown }>;

/** What this module needs of a lib-dynamodb command (protected members of its base class). */
interface DocumentCommandInternals {
  readonly clientCommand: { resolveMiddleware(stack: unknown, config: unknown, options: undefined): Handler };
  readonly middlewareStack: unknown;
  addMarshallingMiddleware(config: unknown): void;
}

const internalsPresent = typeof (DynamoDBDocumentClientCommand.prototype as unknown as Partial<DocumentCommandInternals>).addMarshallingMiddleware === 'function';

export class ResolvedOnceDocumentClient extends DynamoDBDocumentClient {
  private readonly resolved = new Map<unknown, Handler>();

  constructor(client: DynamoDBClient, translateConfig?: TranslateConfig) {
    super(client, translateConfig);
  }

  override send(...args: unknown[]): never {
    const [command] = args;
    if (args.length !== 1 || !internalsPresent || !(command instanceof DynamoDBDocumentClientCommand)) {
      return (super.send as (...a: unknown[]) => never)(...args);
    }
    const cmd = command as unknown as DocumentCommandInternals;
    if (!cmd.clientCommand) return (super.send as (...a: unknown[]) => never)(...args);
    let handler = this.resolved.get(command.constructor);
    if (!handler) {
      cmd.addMarshallingMiddleware(this.config);
      const stack = (this.middlewareStack as unknown as { concat(s: unknown): unknown }).concat(cmd.middlewareStack);
      handler = cmd.clientCommand.resolveMiddleware(stack, this.config, undefined);
      this.resolved.set(command.constructor, handler);
    }
    return handler(cmd.clientCommand).then((r) => r.output) as never;
  }

  override destroy(): void {
    this.resolved.clear();
    super.destroy();
  }
}

/** A document client on a new DynamoDB client with `config` (see the module comment). */
export function resolvedOnceDocumentClient(config: DynamoDBClientConfig, translateConfig?: TranslateConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient(config);
  if (config.logger === undefined) client.middlewareStack.remove('loggerMiddleware');
  // Which operation failed, for the log line of a configuration error (errors.ts): the SDK's errors
  // do not say. First in the stack, so it sees the final error after the SDK's retries.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        noteOperation(e, context.commandName);
        throw e;
      }
    },
    { step: 'initialize', priority: 'high', name: 'scimOperationName' },
  );
  return new ResolvedOnceDocumentClient(client, translateConfig);
}
