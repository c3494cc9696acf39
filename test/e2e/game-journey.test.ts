/**
 * The whole game through the gateway with the typed client (packages/client), every step's event
 * watched on the players' realtime streams: register → character → starting wallet → craft a smart
 * scope → install it as a mod → shots in a district → the district's unrest moved → ledger audit
 * balanced. Runs embedded and on real PostgreSQL, Redis and Kafka (TIME_SCALE makes the crafting short).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createNecpClient, type NecpClient, type StreamEvent } from '@necp/client';
import type { Topic } from '@necp/contracts';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

const letters = () => Array.from(randomBytes(8), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

/** What one player's stream delivered, and a way to wait for an event to arrive (a state, never a sleep). */
class StreamLog {
  readonly events: { topic: Topic; event: StreamEvent; seq: number }[] = [];
  readonly #waiters: (() => void)[] = [];

  record(topic: Topic, event: StreamEvent, seq: number): void {
    this.events.push({ topic, event, seq });
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  until(what: string, found: (topic: Topic, payload: Record<string, unknown>) => boolean): Promise<StreamEvent> {
    return new Promise((resolve) => {
      const check = () => {
        const hit = this.events.find(({ topic, event }) => found(topic, event.payload as Record<string, unknown>));
        if (hit) resolve(hit.event);
        else this.#waiters.push(check);
      };
      check();
    }).then((event) => {
      assert.ok(event, what);
      return event as StreamEvent;
    });
  }

  /** The statuses the stream delivered for one key of one topic, in arrival order. */
  statusesOf(topic: Topic, key: string): string[] {
    return this.events
      .filter((each) => each.topic === topic && each.event.key === key)
      .map((each) =>
        String(
          (each.event.payload as { status?: string; toStatus?: string }).status ??
            (each.event.payload as { toStatus?: string }).toStatus,
        ),
      );
  }
}

describe('the whole game through the gateway with the typed client', () => {
  let e2e: E2eBackend;
  let admin: NecpClient;

  before(async () => {
    // Crafting a smart scope takes 120 game seconds: two real ones at this scale.
    e2e = await startE2eBackend({ TIME_SCALE: '60' });
    admin = createNecpClient({ baseUrl: e2e.gateway });
    await admin.session.login('admin', e2e.adminPassword);
  });
  after(() => e2e.stop());

  async function newPlayer(origin: 'corpo' | 'nomad' | 'street_kid', characterClass: 'techie' | 'solo') {
    const client = createNecpClient({ baseUrl: e2e.gateway });
    const username = `run_${letters()}`;
    const password = `Neon-${randomUUID()}`;
    const registered = await client.auth.POST('/api/v1/auth/register', {
      body: { email: `${username}@example.test`, username, password },
    });
    assert.equal(registered.response.status, 201);
    await client.session.login(username, password);
    const log = new StreamLog();
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const stream = client.stream({
      onEvent: (topic, event, seq) => log.record(topic, event, seq),
      onControl: (message) => {
        if (message.control === 'ready') ready();
      },
    });
    await isReady;
    const created = await client.characters.POST('/api/v1/characters', {
      body: { name: `Run ${letters()}`, origin, class: characterClass },
    });
    assert.equal(created.response.status, 201);
    return { client, log, stream, characterId: created.data?.characterId as string };
  }

  it('crafts a scope, installs it, fights in a district, moves its unrest, and keeps the ledger balanced', async () => {
    const customer = await newPlayer('corpo', 'techie');
    const { client, characterId, log } = customer;
    try {
      // Starting wallet: corpo's 2,500 eddies and the origin's materials arrive from characters.lifecycle.
      const wallet = await waitForValue('the starting wallet', async () => {
        const { data } = await client.economy.GET('/api/v1/economy/wallets/{characterId}', {
          params: { path: { characterId } },
        });
        const eddies = data?.balances.find((balance) => balance.asset === 'EDD')?.available ?? 0;
        return eddies > 0 ? data : undefined;
      });
      assert.equal(wallet.balances.find((balance) => balance.asset === 'EDD')?.available, 2500);

      // Craft a smart scope at the Watson garage; its completion reaches the stream, then the inventory.
      const job = await client.economy.POST('/api/v1/economy/crafting/jobs', {
        body: { characterId, blueprintId: 'smart_scope_mk1', workshopId: 'street_garage', quantity: 1 },
      });
      assert.equal(job.response.status, 201);
      const jobId = job.data?.jobId as string;
      await log.until(
        'the crafting job completed',
        (topic, payload) =>
          topic === 'economy.crafting.jobs' && payload.jobId === jobId && payload.status === 'completed',
      );
      const statuses = log.statusesOf('economy.crafting.jobs', jobId);
      assert.equal(statuses[0], 'queued');
      assert.equal(statuses.at(-1), 'completed');
      assert.equal(statuses.indexOf('completed'), statuses.length - 1, `in order for the job: ${statuses.join(' → ')}`);

      const scope = await waitForValue('the crafted scope in the inventory', async () => {
        const { data } = await client.characters.GET('/api/v1/characters/{characterId}/inventory', {
          params: { path: { characterId } },
        });
        return data?.items.find((item) => item.templateId === 'scope_smart_mk1');
      });
      const pistol = (
        await client.characters.GET('/api/v1/characters/{characterId}/inventory', { params: { path: { characterId } } })
      ).data?.items.find((item) => item.templateId === 'smart_pistol_kenshin');
      assert.ok(pistol, 'corpo starts with a smart pistol');

      // Install the scope on the pistol.
      const installed = await client.gameplay.PATCH('/api/v1/gameplay/combat/weapon-mods/{weaponId}', {
        params: { path: { weaponId: pistol.itemId }, query: { characterId } },
        body: { strategy: 'merge', slots: [{ slot: 'scope', modId: 'scope_smart_mk1', itemId: scope.itemId }] },
      });
      assert.equal(installed.response.status, 200);
      assert.equal(installed.data?.stats.smartAssist, true);

      // Twenty shots in the character's district move its unrest by +1 (DOMAIN.md, every 20 ballistics events).
      const sheet = await client.characters.GET('/api/v1/characters/{characterId}', {
        params: { path: { characterId } },
      });
      const districtId = sheet.data?.district as string;
      const before = await admin.world.GET('/api/v1/world/unrest/{districtId}', { params: { path: { districtId } } });
      const startLevel = before.data?.currentLevel as number;
      const aim = {
        characterId,
        weaponId: pistol.itemId,
        ammoType: 'standard',
        distanceMeters: 15,
        angleDegrees: 10,
        targetArmor: 'kevlar_t1',
        environmentMaterial: 'concrete',
        flags: { curvedShot: false, smartAssist: true },
      } as const;
      for (let seed = 0; seed < 20; seed += 1) {
        const { response } = await client.gameplay.POST('/api/v1/gameplay/combat/ballistics/simulate', {
          body: { ...aim, seed },
        });
        assert.equal(response.status, 200);
      }
      const moved = await waitForValue('the district moved by the shots', async () => {
        const { data } = await admin.world.GET('/api/v1/world/unrest/{districtId}', {
          params: { path: { districtId } },
        });
        return data && data.currentLevel !== startLevel ? data.currentLevel : undefined;
      });
      assert.equal(moved, Math.min(100, startLevel + 1));
      await log.until(
        'the world update on the stream',
        (topic, payload) =>
          topic === 'world.unrest.updates' && payload.districtId === districtId && payload.sourceType === 'combat',
      );

      const sequence = log.events.map((each) => each.seq);
      assert.deepEqual(
        sequence,
        [...sequence].sort((a, b) => a - b),
        'seq grows on the stream',
      );

      const audit = await admin.economy.GET('/api/v1/economy/audit');
      assert.equal(audit.data?.balanced, true);
    } finally {
      customer.stream.close();
    }
  });
});

async function waitForValue<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `${what}: not within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
