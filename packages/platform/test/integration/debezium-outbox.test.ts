/**
 * What a service does for its outbox when Debezium relays it (`OUTBOX_RELAY=off`): retention by age,
 * since nothing marks rows sent, and the slot gauges when no slot exists. The slot streaming and
 * lagging is test/real/debezium-outbox.test.ts (it needs Connect and logical replication).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { DebeziumOutbox } from '../../src/events/debezium-outbox.ts';
import { writeEvent } from '../../src/events/outbox.ts';
import { OutboxRetention } from '../../src/events/outbox-retention.ts';
import { createLogger } from '../../src/logger.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

const logger = createLogger('test', 'silent');
const HOUR_MS = 3_600_000;

function revoked() {
  const accountId = randomUUID();
  return { topic: 'auth.session.revoked' as const, key: accountId, payload: { accountId, sessionId: randomUUID() } };
}

describe(`the outbox with Debezium relaying it, on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.close());

  it('deletes rows older than the retention though none is marked sent, and keeps the recent ones', async () => {
    const old = await writeEvent(test.db.kysely, 'auth', revoked());
    const recent = await writeEvent(test.db.kysely, 'auth', revoked());
    await sql`UPDATE mvp_meta.outbox SET created_at = now() - interval '2 hours' WHERE id = ${old.eventId}`.execute(
      test.db.kysely,
    );
    const ids = async () =>
      (await test.db.kysely.selectFrom('mvp_meta.outbox').select('id').execute()).map((row) => row.id).sort();

    // The relay's retention keeps unsent rows: with Debezium it would keep every row for ever.
    assert.equal(await new OutboxRetention(test.db, HOUR_MS, new Registry()).cleanup(() => true), 0);
    const metrics = new Registry();
    const debezium = new DebeziumOutbox({ db: test.db, logger, metrics, slot: 'necp_outbox', retentionMs: HOUR_MS });
    debezium.start();
    try {
      assert.equal(await debezium.cleanup(), 1);
    } finally {
      await debezium.stop();
    }
    assert.deepEqual(await ids(), [recent.eventId]);
    assert.match(await metrics.metrics(), /^outbox_relay_deleted_total 1$/m);
  });

  it('shows a missing slot as no connector streaming, with no lag to report', async () => {
    const metrics = new Registry();
    new DebeziumOutbox({ db: test.db, logger, metrics, slot: 'necp_outbox_missing', retentionMs: HOUR_MS });
    const text = await metrics.metrics();
    assert.match(text, /^outbox_slot_active\{slot="necp_outbox_missing"\} 0$/m);
    assert.doesNotMatch(text, /^outbox_slot_lag_bytes\{/m);
  });
});
