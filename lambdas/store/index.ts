/** Public surface of the store (the service imports from here). */
export { TABLE, createTableInput, timeToLiveInput, type TableOptions } from './table.js';
export { keys, encodeKeyPart, foldCase, type Key, type ResourceKind } from './keys.js';
export { StorageError, isStorageError, fromDynamoError, toScimError, type StorageErrorKind } from './errors.js';
export { createContext, uuidv7, type StoreOptions, type ConnectorOptions, type StoreContext } from './context.js';
export { cursorKeyRing, parseCursorKeySecret, MIN_CURSOR_KEY_LENGTH, type CursorKeyRing, type CursorKeys, type CursorKeySource } from './cursor-key.js';
export { scimView, type StoredResource } from './items.js';
export { Repository, type MemberDelta, type MemberDeltaResult, type WriteOptions } from './repository.js';
export { planFilter, executeFilter, type Evaluate, type QueryPlan, type Access } from './planner.js';
export { queryHash, encodeCursor, decodeCursor, openCursor, sealCursor } from './paging.js';
export { ScimStore, type ListOptions, type ListResult } from './store.js';
export { Meter, attachMeter, operationName, type OpStats } from './metering.js';
