import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidv7, uuidv7Floor } from '../../src/uuid-v7.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UUID version 7', () => {
  it('has the version, the variant and the time of RFC 9562', () => {
    const at = Date.UTC(2026, 10, 24, 12, 0, 0, 123);
    for (let n = 0; n < 1000; n++) {
      const id = uuidv7(at);
      assert.match(id, V7);
      assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
    }
  });

  it('is unique, and sorts by its millisecond: a floor is below every id of its time and after', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7(1_000));
    assert.equal(new Set(ids).size, ids.length);
    const floor = uuidv7Floor(1_000);
    assert.match(floor, V7);
    assert.ok(ids.every((id) => id >= floor));
    assert.ok(uuidv7(999) < floor);
    assert.ok(uuidv7(1_001) > ([...ids].sort().at(-1) as string));
  });
});
