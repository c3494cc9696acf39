import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelRefund,
  dueAt,
  findBlueprint,
  jobDurationSeconds,
  missingMaterials,
  progressOf,
  requiredMaterials,
  skillShortfall,
} from '../../src/domain/crafting.ts';

const scope = findBlueprint('smart_scope_mk1');
if (!scope) throw new Error('catalogue lost smart_scope_mk1');

describe('crafting rules', () => {
  it('scales materials and duration with quantity, and stress adds 10%', () => {
    assert.deepEqual(requiredMaterials(scope, 3), { electronics: 6, glass: 3 });
    assert.equal(jobDurationSeconds(scope, 3, false), 360);
    assert.equal(jobDurationSeconds(scope, 3, true), 396);
  });
  it('names each missing material and checks the required skill', () => {
    assert.deepEqual(missingMaterials({ electronics: 6, glass: 3 }, { electronics: 6, glass: 1 }), [
      { asset: 'glass', required: 3, available: 1 },
    ]);
    assert.deepEqual(skillShortfall(scope, { engineering: 5 }), { skill: 'engineering', required: 10, actual: 5 });
    assert.equal(skillShortfall(scope, { engineering: 10 }), undefined);
    assert.equal(skillShortfall(findBlueprint('ricochet_rounds') ?? scope, {}), undefined);
  });
  it('measures progress in game time and banks it across pauses', () => {
    const startedAt = new Date('2026-01-01T00:00:00Z');
    const clock = { status: 'processing' as const, durationSeconds: 120, progressSeconds: 30, startedAt, timeScale: 2 };
    assert.equal(progressOf(clock, new Date('2026-01-01T00:00:15Z')), 0.5);
    assert.equal(progressOf({ ...clock, status: 'paused', startedAt: null }, new Date('2026-01-02T00:00:00Z')), 0.25);
    assert.equal(dueAt(clock, startedAt).toISOString(), '2026-01-01T00:00:45.000Z');
    assert.equal(progressOf(clock, new Date('2026-01-01T01:00:00Z')), 1);
  });
  it('refunds all while queued and the unconsumed part, rounded down, once started', () => {
    assert.deepEqual(cancelRefund({ metal: 5 }, 'queued', 0.9), { metal: { refund: 5, consumed: 0 } });
    assert.deepEqual(cancelRefund({ metal: 5, glass: 1 }, 'processing', 0.3), {
      metal: { refund: 3, consumed: 2 },
      glass: { refund: 0, consumed: 1 },
    });
  });
});
