import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VersionedCopies } from '../../src/ownership/versioned-copies.ts';

const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('copies kept under a version', () => {
  it('answers only under the exact version it was kept under, any spelling of the id', () => {
    const copies = new VersionedCopies<string>({ ttlSeconds: 30, limit: 10 });
    copies.keep(id, 'v1', 'sheet 1', 0);
    assert.equal(copies.get(id.toUpperCase(), 'v1', 1), 'sheet 1');
    assert.equal(copies.get(id, 'v2', 1), undefined, 'the version moved');
    assert.equal(copies.get(id, null, 1), undefined, 'no version, no copy');
  });

  it('keeps nothing without a version, and nothing past its time', () => {
    const copies = new VersionedCopies<string>({ ttlSeconds: 30, limit: 10 });
    copies.keep(id, null, 'unversioned', 0);
    assert.equal(copies.get(id, 'anything', 0), undefined);
    copies.keep(id, 'v1', 'sheet 1', 0);
    assert.equal(copies.get(id, 'v1', 29_999), 'sheet 1');
    assert.equal(copies.get(id, 'v1', 30_000), undefined);
    const none = new VersionedCopies<string>({ ttlSeconds: 0, limit: 10 });
    none.keep(id, 'v1', 'sheet 1', 0);
    assert.equal(none.get(id, 'v1', 0), undefined, 'a time of 0 keeps none');
  });

  it('keeps at most `limit` copies, the oldest going first', () => {
    const copies = new VersionedCopies<number>({ ttlSeconds: 30, limit: 2 });
    for (const n of [1, 2, 3]) copies.keep(`id-${n}`, 'v', n, 0);
    assert.equal(copies.get('id-1', 'v', 0), undefined);
    assert.equal(copies.get('id-2', 'v', 0), 2);
    assert.equal(copies.get('id-3', 'v', 0), 3);
  });
});
