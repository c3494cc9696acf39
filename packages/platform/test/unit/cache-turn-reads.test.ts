import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnReads } from '../../src/cache/turn-reads.ts';

/** A store whose MGETs are counted and answered only when the test says so. */
function heldStore(values: Map<string, string>) {
  const sent: { keys: string[]; answer(): void; fail(error: Error): void }[] = [];
  const reads = new TurnReads(
    (keys) =>
      new Promise((resolve, reject) => {
        sent.push({
          keys,
          // The values as they are when the store answers, as Redis reads them when the command arrives.
          answer: () => resolve(keys.map((key) => values.get(key) ?? null)),
          fail: reject,
        });
      }),
  );
  return { reads, sent };
}

describe('TurnReads', () => {
  it("sends one turn's reads as one, each key once, and answers each reader its own keys in order", async () => {
    const { reads, sent } = heldStore(
      new Map([
        ['loaded', '1'],
        ['session:a', 'denied'],
      ]),
    );
    const first = reads.read(['loaded', 'session:a']);
    const second = reads.read(['loaded', 'account:b', 'session:b']);
    const third = reads.read(['session:a', 'loaded']);
    assert.equal(sent.length, 0, 'nothing leaves before the turn ends');
    await nextTurn();
    assert.deepEqual(
      sent.map((read) => read.keys),
      [['loaded', 'session:a', 'account:b', 'session:b']],
    );
    sent[0]?.answer();
    assert.deepEqual(await first, ['1', 'denied']);
    assert.deepEqual(await second, ['1', null, null]);
    assert.deepEqual(await third, ['denied', '1']);
  });

  it('never answers a read from one sent before it was asked: a later read sees what was written meanwhile', async () => {
    const values = new Map<string, string>();
    const { reads, sent } = heldStore(values);
    const before = reads.read(['session:a']);
    await nextTurn();
    assert.equal(sent.length, 1);
    // The session is revoked while the first read is on its way; a request arriving now must see it.
    values.set('session:a', 'denied');
    const after = reads.read(['session:a']);
    await nextTurn();
    assert.equal(sent.length, 2, 'the later read goes out on its own, after the revocation');
    sent[1]?.answer();
    assert.deepEqual(await after, ['denied']);
    sent[0]?.answer();
    assert.deepEqual(await before, ['denied']);
  });

  it("fails every reader of a turn whose read failed, and the next turn's read goes out afresh", async () => {
    const { reads, sent } = heldStore(new Map([['k', 'v']]));
    const failing = [reads.read(['k']), reads.read(['j'])];
    await nextTurn();
    sent[0]?.fail(new Error('connection lost'));
    for (const read of failing) await assert.rejects(read, /connection lost/);
    const next = reads.read(['k']);
    await nextTurn();
    sent[1]?.answer();
    assert.deepEqual(await next, ['v']);
  });
});
