import { describe, expect, it } from 'vitest';
import { createTableInput, TABLE } from '../../../lambdas/store/table.js';

describe('createTableInput', () => {
  it('has the change stream by default (what the local endpoint tails for events)', () => {
    expect(createTableInput('t').StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: TABLE.streamViewType });
  });

  it('streams: false drops only the stream; keys and index are the same', () => {
    const { StreamSpecification, ...rest } = createTableInput('t');
    expect(StreamSpecification).toBeDefined();
    expect(createTableInput('t', { streams: false })).toEqual(rest);
  });
});
