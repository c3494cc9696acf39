import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScanFloor } from '../../src/events/outbox-scan-floor.ts';

/** A scan's bounds: transaction ids as the server prints them (text). */
function scan(lowest: number | null, highest: number | null, xmin: number, later: number) {
  return { lowest, highest, xmin: String(xmin), later: String(later) };
}

describe('the outbox scan floor', () => {
  it('starts at the first row, and moves to the lowest pending row once the numbers below it are settled', () => {
    const floor = new ScanFloor();
    assert.equal(floor.value, 0);
    floor.advance(scan(5, 10, 100, 101));
    assert.equal(floor.value, 1, 'numbers 1-10 are not settled yet: transaction 100 may still be running');
    floor.advance(scan(5, 12, 102, 103));
    assert.equal(floor.value, 5, 'the first scan settled (every id below 101 ended): the lowest pending row');
  });

  it('stays below a number an open transaction may still commit, with nothing pending above it', () => {
    const floor = new ScanFloor();
    floor.advance(scan(null, 10, 100, 101));
    floor.advance(scan(null, 20, 100, 105));
    assert.equal(floor.value, 1, 'transaction 100 is still running: none of its numbers is settled');
    floor.advance(scan(null, 20, 101, 106));
    assert.equal(floor.value, 11, 'ids below 101 ended: 1-10 settled, 11-20 not yet');
    floor.advance(scan(null, 20, 106, 107));
    assert.equal(floor.value, 21);
  });

  it('settles on the id given after the scan, not on numbers seen: xmin must pass it', () => {
    const floor = new ScanFloor();
    floor.advance(scan(null, 10, 100, 150));
    floor.advance(scan(null, 10, 149, 151));
    assert.equal(floor.value, 1, 'a transaction with an id below 150 may still run');
    floor.advance(scan(null, 10, 150, 152));
    assert.equal(floor.value, 11);
  });

  it('never settles past a remembered scan when a long transaction fills its memory of scans', () => {
    const floor = new ScanFloor();
    // A transaction (id 99) stays open through 100 scans, each seeing ten more numbers.
    for (let n = 1; n <= 100; n++) floor.advance(scan(null, n * 10, 99, 100 + n));
    assert.equal(floor.value, 1);
    // It ends, and every id below 130 with it: scans 1-30 settle (their later ids are 101-130), while
    // the numbers the forgotten scans 64-100 saw wait for the id of the newest remembered one.
    floor.advance(scan(null, 1000, 130, 300));
    assert.equal(floor.value, 301, 'numbers 1-300 settled, nothing beyond');
    floor.advance(scan(null, 1000, 400, 401));
    assert.equal(floor.value, 1001);
  });

  it('starts from a kept floor, and never goes below it', () => {
    const floor = new ScanFloor();
    floor.restore(500);
    assert.equal(floor.value, 500, 'before any scan');
    floor.advance(scan(null, 520, 100, 101));
    assert.equal(floor.value, 500, 'numbers 500-520 are not settled yet');
    floor.advance(scan(510, 530, 102, 103));
    assert.equal(floor.value, 510, 'the first scan settled: the lowest pending row');
  });
});
