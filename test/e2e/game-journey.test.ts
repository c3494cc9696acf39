/**
 * The whole game through the gateway with the typed client (packages/client), every step's event
 * watched on the players' realtime streams: register → character → starting wallet → craft a smart
 * scope → install it as a mod → shots in a district → a combat order published, applied for, accepted,
 * started, delivered and completed → reviews → ratings → the district's unrest moved (+1 for twenty
 * shots, −4 for the completed combat order) → each step's event seen on the streams in order per key →
 * ledger audit balanced. Runs embedded and on real PostgreSQL, Redis and Kafka (TIME_SCALE makes the
 * crafting short).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createNecpClient, type NecpClient, type StreamEvent } from '@necp/client';
import type { Topic } from '@necp/contracts';
import { waitFor } from '@necp/platform/testing';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

const letters = () => Array.from(randomBytes(8), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

/** What one player's stream delivered, and a way to wait for an event to arrive (a state, never a sleep). */
class StreamLog {
  readonly events: { topic: Topic; event: StreamEvent; seq: number }[] = [];
  /** Control messages and closes, for the failure message of a wait. */
  readonly notes: string[] = [];
  readonly #waiters: (() => void)[] = [];

  record(topic: Topic, event: StreamEvent, seq: number): void {
    this.events.push({ topic, event, seq });
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** The first event `found` accepts, once it arrived; fails naming `what` when none came within the deadline. */
  until(
    what: string,
    found: (topic: Topic, payload: Record<string, unknown>) => boolean,
    deadlineMs = 60_000,
  ): Promise<StreamEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const seen = this.events.map(({ topic, event }) => `${topic} ${JSON.stringify(event.payload)}`);
        reject(
          new Error(
            `${what}: not on the stream within ${deadlineMs / 1000} s; it had:\n${[...this.notes, ...seen].join('\n')}`,
          ),
        );
      }, deadlineMs);
      const check = () => {
        const hit = this.events.find(({ topic, event }) => found(topic, event.payload as Record<string, unknown>));
        if (!hit) return this.#waiters.push(check);
        clearTimeout(timer);
        resolve(hit.event);
      };
      check();
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
        log.notes.push(`control ${JSON.stringify(message)}`);
        if (message.control === 'ready') ready();
      },
      onClosed: (code, reason) => log.notes.push(`closed ${code} ${reason}`),
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
      const wallet = await waitFor(
        'the starting wallet',
        async () => {
          const { data } = await client.economy.GET('/api/v1/economy/wallets/{characterId}', {
            params: { path: { characterId } },
          });
          const eddies = data?.balances.find((balance) => balance.asset === 'EDD')?.available ?? 0;
          return eddies > 0 ? data : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
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

      const scope = await waitFor(
        'the crafted scope in the inventory',
        async () => {
          const { data } = await client.characters.GET('/api/v1/characters/{characterId}/inventory', {
            params: { path: { characterId } },
          });
          return data?.items.find((item) => item.templateId === 'scope_smart_mk1');
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
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
      const moved = await waitFor(
        'the district moved by the shots',
        async () => {
          const { data } = await admin.world.GET('/api/v1/world/unrest/{districtId}', {
            params: { path: { districtId } },
          });
          return data && data.currentLevel !== startLevel ? data.currentLevel : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
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

      await hireForCombat(customer, districtId);

      const audit = await admin.economy.GET('/api/v1/economy/audit');
      assert.equal(audit.data?.balanced, true);
    } finally {
      customer.stream.close();
    }
  });

  /** A combat order from `customer` in `districtId`, taken by a new player to completion, reviewed both ways. */
  async function hireForCombat(customer: Awaited<ReturnType<typeof newPlayer>>, districtId: string) {
    const executor = await newPlayer('nomad', 'solo');
    try {
      const levelOf = async () =>
        (await admin.world.GET('/api/v1/world/unrest/{districtId}', { params: { path: { districtId } } })).data
          ?.currentLevel as number;
      const created = await customer.client.social.POST('/api/v1/social/orders', {
        body: {
          customerCharacterId: customer.characterId,
          orderType: 'combat',
          title: 'Clear the Maelstrom out of the warehouse',
          description: 'Quietly, if possible',
          districtId,
          reward: 300,
          deadline: new Date(Date.now() + 86_400_000).toISOString(),
          accessLevel: 'public',
        },
      });
      assert.equal(created.response.status, 201);
      const orderId = created.data?.orderId as string;
      const path = { params: { path: { orderId } } };
      // The gateway's stream learns an order's parties from its events: the draft's comes first, so the
      // escrow lock of the publish has someone to go to (on Kafka, two topics carry no order between them).
      await customer.log.until(
        'the draft announced',
        (topic, payload) => topic === 'social.orders.lifecycle' && payload.orderId === orderId,
      );
      assert.equal(
        (await customer.client.social.POST('/api/v1/social/orders/{orderId}/publish', path)).response.status,
        200,
      );
      const applied = await executor.client.social.POST('/api/v1/social/orders/{orderId}/applications', {
        ...path,
        body: { characterId: executor.characterId, coverLetter: 'Done it before' },
      });
      assert.equal(applied.response.status, 201);
      const applicationId = applied.data?.applicationId as string;
      const accepted = await customer.client.social.POST(
        '/api/v1/social/orders/{orderId}/applications/{applicationId}/accept',
        { params: { path: { orderId, applicationId } } },
      );
      assert.equal(accepted.data?.status, 'accepted');
      assert.equal(
        (await executor.client.social.POST('/api/v1/social/orders/{orderId}/start', path)).data?.status,
        'in_progress',
      );
      const delivered = await executor.client.social.POST('/api/v1/social/orders/{orderId}/deliver', {
        ...path,
        body: { note: 'Warehouse clear' },
      });
      assert.equal(delivered.data?.status, 'delivered');
      const before = await levelOf();
      assert.equal(
        (await customer.client.social.POST('/api/v1/social/orders/{orderId}/complete', path)).data?.status,
        'completed',
      );

      // The executor is paid once the escrow settles from the completed event.
      await executor.log.until(
        'the escrow released',
        (topic, payload) =>
          topic === 'economy.escrow.events' && payload.orderId === orderId && payload.status === 'released',
      );
      const executorWallet = await executor.client.economy.GET('/api/v1/economy/wallets/{characterId}', {
        params: { path: { characterId: executor.characterId } },
      });
      assert.equal(executorWallet.data?.balances.find((balance) => balance.asset === 'EDD')?.available, 1500 + 300);

      for (const [author, rating] of [
        [customer, 5],
        [executor, 4],
      ] as const) {
        const reviewed = await author.client.social.POST('/api/v1/social/orders/{orderId}/reviews', {
          ...path,
          body: { rating, comment: 'Professional' },
        });
        assert.equal(reviewed.response.status, 201);
      }
      const ratings = await customer.client.social.GET('/api/v1/social/ratings/{characterId}', {
        params: { path: { characterId: executor.characterId } },
      });
      assert.equal(ratings.data?.executor.completed, 1);

      // A completed combat order calms its district by 4 (DOMAIN.md), on top of whatever else moved it.
      const after = await waitFor(
        'the district calmed by the completed combat order',
        async () => {
          const level = await levelOf();
          return level !== before ? level : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      assert.equal(after, Math.max(0, before - 4));

      // Each step's event reached the parties' streams, in order for the order's key.
      const steps = ['published', 'accepted', 'in_progress', 'delivered', 'completed'];
      assert.deepEqual(
        customer.log.statusesOf('social.orders.lifecycle', orderId).filter((status) => steps.includes(status)),
        steps,
      );
      const executorSaw = executor.log.statusesOf('social.orders.lifecycle', orderId);
      assert.deepEqual(executorSaw.slice(-3), ['in_progress', 'delivered', 'completed']);
      const escrow = customer.log.statusesOf('economy.escrow.events', orderId);
      assert.deepEqual([escrow[0], escrow.at(-1)], ['locked', 'released']);
    } finally {
      executor.stream.close();
    }
  }
});
