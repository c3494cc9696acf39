/**
 * Two world replicas on one PostgreSQL database (two service instances, two connection pools):
 * their escalation schedules ticking together, their escalation work run without the schedule's
 * lock, and operators starting scenarios on both never put two active scenarios in one district.
 * Only a server with concurrent connections can race like this.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PlatformTables } from '@necp/platform';
import { sql } from 'kysely';
import { escalateDwellingDistricts } from '../../src/flows/city-clock.ts';
import type { WorldTables } from '../../src/store/tables.ts';
import { startWorld, type World } from '../support/harness.ts';

const DWELL_MS = 10_000;

describe('escalation across two world replicas on real PostgreSQL (TIME_SCALE 60)', () => {
  let first: World;
  let second: World;
  before(async () => {
    first = await startWorld({ TIME_SCALE: '60' });
    assert.equal(first.db.kind, 'postgres', 'this test needs DATABASE_URL');
    second = await startWorld({ TIME_SCALE: '60', DATABASE_URL: first.test.url as string }, first.issuer);
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  const activeCount = async () => {
    const rows = await sql<{ district_id: string; n: string }>`
      SELECT district_id, count(*) AS n FROM mvp_core.world_scenarios WHERE status = 'active' GROUP BY district_id
      ORDER BY district_id`.execute(first.db.kysely);
    return Object.fromEntries(rows.rows.map((row) => [row.district_id, Number(row.n)]));
  };
  const cancelAll = async () => {
    const operator = await first.operatorToken();
    const list = await first.call('GET', '/api/v1/world/scenarios?status=active', operator);
    for (const item of list.body.items as { scenarioId: string }[]) {
      const reply = await first.call('POST', `/api/v1/world/scenarios/${item.scenarioId}/cancel`, operator);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
  };

  it('starts one scenario per district when both replicas tick at once, many times', async () => {
    const openedAt = Date.parse(
      (await first.call('GET', '/api/v1/world/unrest/watson', await first.operatorToken())).body.lastUpdated,
    );
    const due = new Date(openedAt + DWELL_MS);
    const ticks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).schedules.escalation.tick(due)),
    );
    assert.ok(ticks.includes(true));
    assert.deepEqual(await activeCount(), { heywood: 1, watson: 1, westbrook: 1 });
    assert.equal((await first.published('world.scenarios')).length, 3);
  });

  it('holds one active scenario per district in the database even without the schedule lock', async () => {
    await cancelAll();
    const later = new Date(Date.now() + 2 * DWELL_MS);
    // Each replica's escalation work in transactions of its own pool, bypassing the advisory lock.
    const started = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? first : second).db
          .typed<WorldTables & PlatformTables>()
          .transaction()
          .execute((trx) => escalateDwellingDistricts(trx, later, 60)),
      ),
    );
    assert.equal(
      started.reduce((sum, n) => sum + n, 0),
      3,
    );
    assert.deepEqual(await activeCount(), { heywood: 1, watson: 1, westbrook: 1 });
    await assert.rejects(
      sql`INSERT INTO mvp_core.world_scenarios (id, district_id, kind, status, origin, started_at)
          VALUES (gen_random_uuid(), 'watson', 'neon_riot', 'active', 'operator', now())`.execute(second.db.kysely),
      (error: { code?: string }) => error.code === '23505',
    );
  });

  it('lets operators racing on both replicas start one scenario in a district', async () => {
    await cancelAll();
    const operator = await first.operatorToken();
    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? first : second).call('POST', '/api/v1/world/scenarios', operator, { districtId: 'heywood' }),
      ),
    );
    assert.deepEqual(replies.map((reply) => reply.status).sort(), [201, ...Array.from({ length: 15 }, () => 409)]);
    assert.equal((await activeCount()).heywood, 1);
  });
});
