import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escrowOutcomes } from '../../src/domain/escrow-status.ts';

/** The one-by-one rule the set must equal: `locked` only over nothing, an end only over nothing or `locked`. */
function oneByOne(news: { orderId: string; status: string }[]) {
  const shown = new Map<string, string>();
  for (const { orderId, status } of news) {
    const now = shown.get(orderId);
    if (now === undefined || (now === 'locked' && status !== 'locked')) shown.set(orderId, status);
  }
  return shown;
}

describe('escrow outcomes of a set of news', () => {
  it('leaves on each order what the news applied one by one would, whatever their order', () => {
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    const sets = [
      [
        { orderId: a, status: 'locked' },
        { orderId: a, status: 'released' },
      ],
      [
        { orderId: a, status: 'released' },
        { orderId: a, status: 'locked' },
      ],
      [
        { orderId: a, status: 'refunded' },
        { orderId: a, status: 'released' },
        { orderId: b, status: 'locked' },
      ],
      [
        { orderId: a, status: 'locked' },
        { orderId: a, status: 'locked' },
        { orderId: b, status: 'split' },
      ],
    ];
    for (const news of sets) assert.deepEqual(escrowOutcomes(news), oneByOne(news));
    assert.deepEqual(
      escrowOutcomes(sets[2] ?? []),
      new Map([
        [a, 'refunded'],
        [b, 'locked'],
      ]),
    );
    assert.deepEqual(
      escrowOutcomes([
        { orderId: a, status: 'locked' },
        { orderId: a, status: 'split' },
      ]).get(a),
      'split',
    );
  });
});
