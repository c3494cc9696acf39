import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../src/http/keyset-cursor.ts';
import { AppError } from '../../src/problem.ts';

const id = '0b8e4f9e-8a5e-4f51-9f59-3c1f8c1f7b11';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const refused = (cursor: string) =>
  assert.throws(
    () => decodeKeysetCursor(cursor),
    (error) => error instanceof AppError && error.code === 'VALIDATION_ERROR',
    cursor,
  );

describe('keyset cursors', () => {
  it('gives back the position it was made from', () => {
    const at = new Date('2026-11-24T10:11:12.345Z');
    assert.deepEqual(decodeKeysetCursor(encodeKeysetCursor({ at, id })), { at, id });
  });

  it('refuses garbage, a missing or non-uuid id, and times a database cannot take', () => {
    refused('bm9wZQ');
    refused(cursorOf(['2026-11-24T10:11:12.345Z']));
    refused(cursorOf(['2026-11-24T10:11:12.345Z', "1' OR '1'='1"]));
    refused(cursorOf(['not a time', id]));
    for (const time of ['+275760-09-13T00:00:00.000Z', '-010000-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      refused(cursorOf([time, id]));
    }
  });
});
