/**
 * Tails a DynamoDB (Local) table stream: what Lambda's event source mapping does in AWS, reduced to
 * one process. Used by `npm start` (change events into a JSON-lines file and an optional webhook)
 * and by the int tests (real stream records for the mapping tests).
 *
 * Shards: DynamoDB rolls shards over; a closed shard ends with no NextShardIterator and its children
 * appear in DescribeStream. Children are read from TRIM_HORIZON once their parent is done, so no
 * record is skipped and one item's records stay in order. Iterators expire (15 min): re-acquired
 * after the last sequence number seen.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type StreamRecord = _Record;

export interface StreamTailOptions {
  readonly endpoint: string;
  readonly tableName: string;
  /** Where to start in the shards open at start: `LATEST` (default, `npm start`) or `TRIM_HORIZON` (tests). */
  readonly start?: 'LATEST' | 'TRIM_HORIZON';
  readonly pollMs?: number;
  /** Called with each non-empty batch, in stream order per shard; a throw is logged and the batch is retried. */
  readonly onRecords: (records: StreamRecord[]) => Promise<void>;
  readonly onError?: (e: unknown) => void;
}

interface ShardState {
  readonly id: string;
  readonly parent: string | undefined;
  iterator: string | undefined;
  lastSeq: string | undefined;
  done: boolean;
  initial: boolean;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export class StreamTail {
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private streamArn: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private first = true;

  constructor(private readonly o: StreamTailOptions) {
    this.streams = new DynamoDBStreamsClient({ endpoint: o.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  }

  /** Resolves the stream and positions the iterators (so writes after `init` are seen). */
  async init(): Promise<void> {
    const ddb = new DynamoDBClient({ endpoint: this.o.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
    try {
      const t = await ddb.send(new DescribeTableCommand({ TableName: this.o.tableName }));
      this.streamArn = t.Table?.LatestStreamArn;
    } finally {
      ddb.destroy();
    }
    if (!this.streamArn) throw new Error(`table ${this.o.tableName} has no stream`);
    await this.refreshShards();
    // LATEST means "after init": position now, not lazily at the first poll.
    if ((this.o.start ?? 'LATEST') === 'LATEST') {
      for (const s of this.shards.values()) s.iterator = await this.iteratorFor(s);
    }
  }

  /** Polls until `stop`. */
  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.pollOnce()
        .then(() => undefined)
        .catch((e: unknown) => this.o.onError?.(e));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.o.pollMs ?? 250);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.streams.destroy();
  }

  /** Reads until a full pass returns nothing (tests: "everything written so far has been handled"). */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if ((await this.pollOnce()) === 0) return;
    }
  }

  private async refreshShards(): Promise<void> {
    const arn = this.streamArn!;
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const d = await this.streams.send(new DescribeStreamCommand({ StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      all.push(...(d.StreamDescription?.Shards ?? []));
      start = d.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const s of all) {
      if (!s.ShardId || this.shards.has(s.ShardId)) continue;
      this.shards.set(s.ShardId, { id: s.ShardId, parent: s.ParentShardId, iterator: undefined, lastSeq: undefined, done: false, initial: this.first });
    }
    this.first = false;
  }

  private async iteratorFor(s: ShardState): Promise<string | undefined> {
    const type = s.lastSeq ? 'AFTER_SEQUENCE_NUMBER' : s.initial ? (this.o.start ?? 'LATEST') : 'TRIM_HORIZON';
    const r = await this.streams.send(
      new GetShardIteratorCommand({ StreamArn: this.streamArn!, ShardId: s.id, ShardIteratorType: type, ...(s.lastSeq ? { SequenceNumber: s.lastSeq } : {}) }),
    );
    return r.ShardIterator;
  }

  /** One pass over the readable shards; returns the number of records handled. */
  async pollOnce(): Promise<number> {
    if (!this.streamArn) await this.init();
    let handled = 0;
    let closed = false;
    for (const s of this.shards.values()) {
      if (s.done) continue;
      const parent = s.parent ? this.shards.get(s.parent) : undefined;
      if (parent && !parent.done) continue; // parent first: per-item order
      if (!s.iterator) s.iterator = await this.iteratorFor(s);
      if (!s.iterator) {
        s.done = true;
        closed = true;
        continue;
      }
      let res;
      try {
        res = await this.streams.send(new GetRecordsCommand({ ShardIterator: s.iterator, Limit: 1000 }));
      } catch (e) {
        if (e instanceof ExpiredIteratorException) {
          s.iterator = undefined;
          continue;
        }
        throw e;
      }
      const records = res.Records ?? [];
      if (records.length > 0) {
        await this.o.onRecords(records); // throws → same iterator next time: the batch is retried
        s.lastSeq = records[records.length - 1]?.dynamodb?.SequenceNumber ?? s.lastSeq;
        handled += records.length;
      }
      s.iterator = res.NextShardIterator;
      if (!s.iterator) {
        s.done = true;
        closed = true;
      }
    }
    if (closed) await this.refreshShards();
    return handled;
  }
}
