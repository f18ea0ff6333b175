/** Change events: schema and envelope, record → event mapping, snapshots (resync), EventBridge publisher. */
export * from './schema.js';
export { toChangeEvents, toChangeEventsAll, diffAttributes, attributePaths, fitEvent, entrySize, MAX_ENTRY_BYTES, type StreamRecordLike } from './mapping.js';
export { EventPublisher, PublishError, chunkEntries, MAX_ENTRIES_PER_CALL, MAX_BYTES_PER_CALL, type PublisherOptions, type PublishResult } from './publisher.js';
export { resourceSnapshot, memberSnapshot } from './snapshot.js';
