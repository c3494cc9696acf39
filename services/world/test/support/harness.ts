/**
 * The real world-service on a fresh database behind the platform's test issuer. Events arrive
 * through the in-process bus, as the relay delivers them; the drift and escalation schedules are
 * the service's own, ticked by the test with explicit dates (the background job ticks once at
 * start and then only every hour, so it never races the test's clock).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TopicPayload } from '@necp/contracts';
import { type ServiceUnderTest, startServiceUnderTest, type TestIssuer } from '@necp/platform/testing';
import { sql } from 'kysely';
import { type CitySchedules, citySchedules } from '../../src/flows/city-clock.ts';
import { worldService } from '../../src/service.ts';

export interface World extends ServiceUnderTest {
  /** The service's drift and escalation schedules on its database (TIME_SCALE as configured). */
  schedules: CitySchedules;
  operatorToken(): Promise<string>;
  /** The district's level as the public list shows it. */
  level(districtId: string): Promise<number>;
  /** The payloads the service wrote to its outbox on `topic`, oldest first. */
  published<T extends 'world.unrest.updates' | 'world.scenarios'>(topic: T): Promise<TopicPayload<T>[]>;
  /** Applies an impact as an operator; returns its answer's body. */
  apply(districtId: string, deltaUnrest: number, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** World on a fresh database; `issuer`: trust another instance's issuer (a replica of it). */
export async function startWorld(env: Record<string, string> = {}, issuer?: TestIssuer): Promise<World> {
  const world = await startServiceUnderTest(worldService, {
    env: { WORLD_SCHEDULE_TICK_MS: '3600000', ...env },
    ...(issuer ? { issuer } : {}),
  });
  const timeScale = Number(env.TIME_SCALE ?? '1');
  const operatorToken = () => world.token(randomUUID(), ['world.operator']);
  return Object.assign(Object.create(world) as ServiceUnderTest, {
    schedules: citySchedules(world.db, timeScale),
    operatorToken,
    async level(districtId: string) {
      const list = await world.call('GET', '/api/v1/world/districts');
      const district = (list.body.items as { districtId: string; unrestLevel: number }[]).find(
        (item) => item.districtId === districtId,
      );
      assert.ok(district, `no district ${districtId}`);
      return district.unrestLevel;
    },
    async published<T extends 'world.unrest.updates' | 'world.scenarios'>(topic: T) {
      const rows = await sql<{ payload: TopicPayload<T> }>`
        SELECT payload->'payload' AS payload FROM mvp_meta.outbox WHERE aggregatetype = ${topic} ORDER BY seq`.execute(
        world.db.kysely,
      );
      return rows.rows.map((row) => row.payload);
    },
    async apply(districtId: string, deltaUnrest: number, extra: Record<string, unknown> = {}) {
      const reply = await world.call('POST', '/api/v1/world/impact/apply', await operatorToken(), {
        sourceType: 'manual',
        sourceId: `test-${randomUUID()}`,
        districtId,
        deltaUnrest,
        ...extra,
      });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      return reply.body;
    },
  }) as World;
}

/** A `social.orders.lifecycle` payload for an order in `districtId`. */
export function orderEvent(
  districtId: string,
  change: { fromStatus: string | null; toStatus: string; orderType: string },
  orderId: string = randomUUID(),
): TopicPayload<'social.orders.lifecycle'> {
  return {
    orderId,
    ...change,
    actorId: randomUUID(),
    customerCharacterId: randomUUID(),
    executorCharacterId: randomUUID(),
    districtId,
    reward: 100,
  };
}

/** A `combat.ballistics.events` payload of a shot in `districtId`. */
export function shotEvent(
  districtId: string | null,
  combatId: string = randomUUID(),
): TopicPayload<'combat.ballistics.events'> {
  return {
    simulationId: randomUUID(),
    combatId,
    characterId: randomUUID(),
    weaponId: 'rifle_ajax',
    weaponClass: 'assault',
    distance: 25,
    hit: true,
    damageDealt: 30,
    ricochetCount: 0,
    curvedShotUsed: false,
    statusEffects: [],
    districtId,
    linkedOrderId: null,
  };
}

/** An `economy.crafting.jobs` payload of a job in `workshopId`. */
export function craftingEvent(workshopId: string, status = 'completed'): TopicPayload<'economy.crafting.jobs'> {
  return {
    jobId: randomUUID(),
    characterId: randomUUID(),
    blueprintId: 'ricochet_rounds',
    status,
    progressPercent: status === 'completed' ? 100 : 50,
    eta: null,
    materialsConsumed: {},
    outputTemplateId: 'ricochet_rounds',
    quantity: 10,
    linkedOrderId: null,
    workshopId,
  };
}
