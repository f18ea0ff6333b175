/** The test DynamoDB client only ever talks to loopback. */
import { describe, expect, it } from 'vitest';
import { assertLoopback } from '../../support/ddb.js';

describe('assertLoopback', () => {
  it.each(['http://127.0.0.1:8000', 'http://localhost:1234', 'http://[::1]:8000'])('accepts %s', (e) => {
    expect(assertLoopback(e)).toBe(e);
  });
  it.each([
    undefined,
    '',
    'https://dynamodb.eu-west-1.amazonaws.com',
    'http://10.0.0.5:8000',
    'http://127.0.0.1.evil.com:8000',
    'http://user:pw@127.0.0.1:8000',
    'file:///tmp/x',
    'not a url',
  ])('refuses %s', (e) => {
    expect(() => assertLoopback(e)).toThrow();
  });
});
