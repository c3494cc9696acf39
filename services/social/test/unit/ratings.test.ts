import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CustomerHistory,
  commissionFor,
  customerScore,
  decayedScore,
  type ExecutorHistory,
  executorScore,
  tierOf,
} from '../../src/domain/ratings.ts';

const executor = (overrides: Partial<ExecutorHistory> = {}): ExecutorHistory => ({
  finished: 4,
  accepted: 5,
  completed: 3,
  delivered: 4,
  deliveredOnTime: 3,
  overdue: 0,
  ratings: [5, 4, 4],
  disputesLost: 1,
  cancelledAfterAccept: 0,
  completedBig: 1,
  ...overrides,
});

const customer = (overrides: Partial<CustomerHistory> = {}): CustomerHistory => ({
  finished: 4,
  accepted: 4,
  completed: 3,
  ratings: [5, 3],
  disputes: 1,
  rehired: 2,
  ...overrides,
});

describe('ratings (DOMAIN.md formulas, hand-computed)', () => {
  it('scores an executor: 0.30·CR + 0.20·TL + 0.25·QL + 0.15·RL + 0.10·CB', () => {
    const table: [string, ExecutorHistory, number][] = [
      // CR 3/5, TL 3/4, QL (13/3 − 1)/4, RL 1 − 0.2, CB 1/3.
      ['a mixed history', executor(), 69.17],
      // Every order completed on time, rated 5, all big: the top.
      [
        'a flawless one',
        executor({
          finished: 2,
          accepted: 2,
          completed: 2,
          delivered: 2,
          deliveredOnTime: 2,
          ratings: [5, 5],
          disputesLost: 0,
          completedBig: 2,
        }),
        100,
      ],
      // Two overdue orders count as late: TL 3/6.
      ['overdue orders against timeliness', executor({ overdue: 2 }), 64.17],
      // Six failures floor RL at 0.
      ['RL clamped at zero', executor({ disputesLost: 4, cancelledAfterAccept: 2 }), 57.17],
      ['no finished order yet', executor({ finished: 0 }), 30],
      // No rating yet: QL is neutral (0.5).
      ['no rating yet', executor({ ratings: [] }), 60.83],
    ];
    for (const [label, history, expected] of table) assert.equal(executorScore(history), expected, label);
  });

  it('scores a customer: 0.30·PR + 0.20·BQ + 0.20·DR + 0.15·RF + 0.15·RB', () => {
    const table: [string, CustomerHistory, number][] = [
      // PR 3/4, BQ (4 − 1)/4, DR 1 − 1/4, RF 0.5, RB 2/4.
      ['a mixed history', customer(), 67.5],
      ['no finished order yet', customer({ finished: 0 }), 30],
      ['every order disputed', customer({ disputes: 4, completed: 0, ratings: [1], rehired: 0 }), 7.5],
    ];
    for (const [label, history, expected] of table) assert.equal(customerScore(history), expected, label);
  });

  it('names the tiers at their bounds', () => {
    const table: [number, string][] = [
      [0, 'Bronze'],
      [39.99, 'Bronze'],
      [40, 'Silver'],
      [64.99, 'Silver'],
      [65, 'Gold'],
      [84.99, 'Gold'],
      [85, 'Platinum'],
      [100, 'Platinum'],
    ];
    for (const [points, tier] of table) assert.equal(tierOf(points), tier, String(points));
  });

  it('charges 5% of the reward, rounded down, minus 1/2/3 points for Silver/Gold/Platinum', () => {
    const table: [number, Parameters<typeof commissionFor>[1], number][] = [
      [500, 'Bronze', 25],
      [500, 'Silver', 20],
      [500, 'Gold', 15],
      [500, 'Platinum', 10],
      [333, 'Bronze', 16],
      [333, 'Platinum', 6],
      [10, 'Bronze', 0],
    ];
    for (const [reward, tier, commission] of table)
      assert.equal(commissionFor(reward, tier), commission, `${reward} ${tier}`);
  });

  it('decays an idle score one point a day after 14 days, never below 20% of the peak', () => {
    const now = new Date('2026-06-30T12:00:00Z');
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const table: [number, number, Date | null, number][] = [
      [80, 90, null, 80],
      [80, 90, daysAgo(13), 80],
      [80, 90, daysAgo(14), 80],
      [80, 90, daysAgo(15), 79],
      [80, 90, daysAgo(20), 74],
      [80, 90, daysAgo(100), 18],
      // A score already under the floor does not rise to it.
      [10, 90, daysAgo(100), 10],
    ];
    for (const [earned, peak, last, expected] of table) {
      assert.equal(
        decayedScore(earned, peak, last, now),
        expected,
        `${earned}/${peak} idle since ${last?.toISOString()}`,
      );
    }
  });
});
