import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { deadLetterTopic, ErrorCodes, EventEnvelopeSchema, TopicPayloads, Topics } from '../../src/index.ts';

describe('the event contracts', () => {
  it('names exactly the topics of the catalogue (shared/API.md §9, plus the ledger transfers of issue 6)', () => {
    assert.deepEqual([...Topics].sort(), [
      'auth.account.banned',
      'auth.account.created',
      'auth.session.revoked',
      'characters.lifecycle',
      'combat.abilities.curved',
      'combat.ballistics.events',
      'economy.crafting.jobs',
      'economy.escrow.events',
      'economy.ledger.transfers',
      'player.skills.cooldowns',
      'social.orders.lifecycle',
      'world.scenarios',
      'world.unrest.updates',
    ]);
    assert.equal(deadLetterTopic('world.scenarios'), 'world.scenarios.dlq');
  });

  it('accepts a well-formed envelope and refuses a broken one', () => {
    const envelope = {
      eventId: randomUUID(),
      type: 'world.scenarios',
      occurredAt: new Date().toISOString(),
      producer: 'world',
      traceId: 'a'.repeat(32),
      key: 'watson',
      payload: { scenarioId: randomUUID(), districtId: 'watson', kind: 'neon_riot', status: 'started' },
    };
    assert.equal(Value.Check(EventEnvelopeSchema, envelope), true);
    assert.equal(Value.Check(TopicPayloads['world.scenarios'], envelope.payload), true);
    assert.equal(Value.Check(EventEnvelopeSchema, { ...envelope, eventId: 'x' }), false);
    assert.equal(Value.Check(TopicPayloads['world.scenarios'], { ...envelope.payload, status: 'paused' }), false);
  });

  it('gives every error code of shared/API.md §10 its status', () => {
    assert.equal(ErrorCodes.VALIDATION_ERROR, 400);
    assert.equal(ErrorCodes.TOKEN_REVOKED, 401);
    assert.equal(ErrorCodes.CHARACTER_NOT_OWNED, 403);
    assert.equal(ErrorCodes.RESTORE_EXPIRED, 410);
    assert.equal(ErrorCodes.PRECONDITION_FAILED, 412);
    assert.equal(ErrorCodes.IDEMPOTENCY_KEY_REUSED, 422);
    assert.equal(ErrorCodes.WORKSHOP_LOCKED, 423);
    assert.equal(ErrorCodes.RATE_LIMITED, 429);
    assert.equal(ErrorCodes.UPSTREAM_TIMEOUT, 504);
  });
});
