/**
 * deploy/compose for real: the gateway, the six services in containers of their own (economy and
 * character twice), PostgreSQL, Redis and Kafka (local stand-ins of the official images), brought up on
 * this machine's Docker engine. A journey through the published gateway with the typed client: register →
 * character → starting wallet → transfers → one replica of economy and one of character killed (docker
 * kill) while transfers are being sent → every later step served by the survivors without a retry: a new
 * character and its starting wallet, a crafting job to the item in the inventory, a combat order from draft
 * to the executor's pay → balances exact and the ledger audit balanced. The stack is torn down whatever happens.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createNecpClient, type NecpClient } from '@necp/client';
import { type ComposeStack, docker, upComposeStack } from './support/compose-stack.ts';

/** The first build of the images (debootstrap, apt, npm ci) on a fresh machine takes minutes. */
const run = promisify(execFile);
const UP_TIMEOUT_MS = 25 * 60_000;
/** Events of a partition the killed replica held wait for Kafka to give it to the survivor (session timeout, 30 s). */
const AFTER_KILL_MS = 120_000;

const letters = () => Array.from(randomBytes(8), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

async function waitForValue<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `${what}: not within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('deploy/compose: the distributed stack on a Docker engine', { timeout: UP_TIMEOUT_MS + 10 * 60_000 }, () => {
  let stack: ComposeStack | undefined;
  let admin: NecpClient;

  before(
    async () => {
      // Crafting a smart scope takes 120 game seconds: two real ones at this scale.
      stack = await upComposeStack({ TIME_SCALE: '60' });
      const { gateway, adminPassword } = stack;
      admin = createNecpClient({ baseUrl: gateway });
      await waitForValue(
        'the admin signs in through the gateway',
        () => admin.session.login('admin', adminPassword),
        240_000,
      );
      await waitForValue(
        'every service ready behind the gateway',
        async () => {
          const health = (await (await fetch(`${gateway}/api/v1/health`)).json()) as { status: string };
          return health.status === 'ready' ? health : undefined;
        },
        240_000,
      );
    },
    { timeout: UP_TIMEOUT_MS },
  );
  after(async () => {
    await stack?.down();
  });

  const running = () => {
    assert.ok(stack, 'the stack is up');
    return stack;
  };

  async function newPlayer(origin: 'corpo' | 'nomad', characterClass: 'techie' | 'solo') {
    const { gateway } = running();
    const client = createNecpClient({ baseUrl: gateway });
    const username = `run_${letters()}`;
    const password = `Neon-${randomUUID()}`;
    const registered = await client.auth.POST('/api/v1/auth/register', {
      body: { email: `${username}@example.test`, username, password },
    });
    assert.equal(registered.response.status, 201);
    await client.session.login(username, password);
    const created = await client.characters.POST('/api/v1/characters', {
      body: { name: `Run ${letters()}`, origin, class: characterClass },
    });
    assert.equal(created.response.status, 201);
    return { client, characterId: created.data?.characterId as string };
  }
  type Player = Awaited<ReturnType<typeof newPlayer>>;

  const eddiesOf = async ({ client, characterId }: Player) => {
    const { data, response } = await client.economy.GET('/api/v1/economy/wallets/{characterId}', {
      params: { path: { characterId } },
    });
    assert.equal(response.status, 200);
    return data?.balances.find((balance) => balance.asset === 'EDD')?.available ?? 0;
  };
  const startingEddies = (player: Player, what: string) =>
    waitForValue(what, async () => ((await eddiesOf(player)) > 0 ? eddiesOf(player) : undefined), AFTER_KILL_MS);

  /**
   * A client's back-off: the pause grows by a step per attempt up to a ceiling (about 9 s in all at the
   * most). Only a request that was inside the killed replica fails (503); the next attempt reaches the
   * survivor, which was healthy before the kill (upComposeStack waits for every replica).
   */
  const RETRY_PAUSE_MS = 250;
  const MAX_RETRY_PAUSE_MS = 2_000;
  const MAX_ATTEMPTS = 8;
  /** What the gateway said last, for a failure's message. */
  const gatewayLogs = async () => {
    const [gateway] = await running().containersOf('gateway');
    if (!gateway) return '';
    const { stdout, stderr } = await run('docker', ['logs', '--tail', '15', gateway]);
    const replicas = await docker(
      'ps',
      '--all',
      '--filter',
      'label=com.docker.compose.service',
      '--format',
      '{{.Names}} {{.Status}}',
    );
    return `${stdout}${stderr}\n${replicas}`;
  };
  /** What the gateway answered the attempts that were sent again. */
  const refusals: string[] = [];
  /**
   * A transfer as a game client sends it: with an Idempotency-Key, sent again with the same key and a
   * growing pause when the gateway answers that the service was unreachable (the replica died with the
   * request). Resolves with the number of attempts it took.
   */
  async function transferWithRetries(from: Player, to: Player, amount: number): Promise<number> {
    const { gateway } = running();
    const key = randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${gateway}/api/v1/economy/transfers`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${from.client.session.tokens?.accessToken}`,
          'idempotency-key': key,
        },
        body: JSON.stringify({
          fromCharacterId: from.characterId,
          toCharacterId: to.characterId,
          asset: 'EDD',
          amount,
        }),
      });
      const body = await response.text();
      if (response.status === 201) return attempt;
      refusals.push(`${response.status} ${body}`);
      if (![502, 503, 504].includes(response.status) || attempt === MAX_ATTEMPTS) {
        assert.fail(`transfer: ${response.status} ${body} (attempt ${attempt})\n${await gatewayLogs()}`);
      }
      await delay(Math.min(RETRY_PAUSE_MS * attempt, MAX_RETRY_PAUSE_MS));
    }
  }

  it('runs every service in a container of its own, economy and character twice', async () => {
    const { containersOf } = running();
    for (const [service, replicas] of Object.entries({
      gateway: 1,
      auth: 1,
      character: 2,
      gameplay: 1,
      social: 1,
      economy: 2,
      world: 1,
      postgres: 1,
      redis: 1,
      kafka: 1,
    })) {
      assert.equal((await containersOf(service)).length, replicas, service);
    }
  });

  it('completes a journey while a replica of economy and one of character die, and loses no money', async (t) => {
    const { containersOf } = running();
    const alice = await newPlayer('corpo', 'techie');
    const bob = await newPlayer('nomad', 'solo');
    assert.equal(await startingEddies(alice, "alice's starting eddies"), 2500);
    assert.equal(await startingEddies(bob, "bob's starting eddies"), 1500);
    assert.equal(await transferWithRetries(alice, bob, 100), 1);

    // Four lanes of eight transfers each; once four have gone through, one replica of each dies (SIGKILL)
    // while the lanes go on sending.
    const victims = [(await containersOf('economy'))[0], (await containersOf('character'))[0]] as string[];
    let done = 0;
    let killed: Promise<unknown> | undefined;
    const lane = async () => {
      const attempts: number[] = [];
      for (let transfer = 0; transfer < 8; transfer += 1) {
        attempts.push(await transferWithRetries(alice, bob, 5));
        done += 1;
        if (done === 4) killed = Promise.all(victims.map((id) => docker('kill', id)));
      }
      return attempts;
    };
    const attempts = (await Promise.all(Array.from({ length: 4 }, lane))).flat();
    await killed;
    await Promise.all(victims.map((id) => docker('wait', id)));
    t.diagnostic(
      `attempts of the 32 transfers around the kill: ${attempts.join(' ')}; refused: ${refusals.join('; ')}`,
    );
    assert.ok(
      attempts.every((count) => count <= 2),
      'a transfer inside the killed replica is served by the survivor on its next attempt',
    );
    assert.equal(await eddiesOf(alice), 2500 - 100 - 32 * 5, 'each transfer applied once');
    assert.equal(await eddiesOf(bob), 1500 + 100 + 32 * 5);

    // From here on every request is answered by the survivors the first time.
    const survivors = [...(await containersOf('economy')), ...(await containersOf('character'))];
    assert.equal(survivors.length, 2);
    assert.ok(!survivors.some((id) => victims.includes(id)), 'the killed replicas are gone');
    for (let round = 0; round < 10; round += 1) assert.equal(await transferWithRetries(alice, bob, 1), 1);
    const carol = await newPlayer('corpo', 'solo');
    assert.equal(await startingEddies(carol, "carol's starting eddies, after the kill"), 2500);

    // Crafting: economy runs the job, character receives the item.
    const job = await alice.client.economy.POST('/api/v1/economy/crafting/jobs', {
      body: {
        characterId: alice.characterId,
        blueprintId: 'smart_scope_mk1',
        workshopId: 'street_garage',
        quantity: 1,
      },
    });
    assert.equal(job.response.status, 201, JSON.stringify(job.error));
    await waitForValue(
      'the crafted scope in the inventory',
      async () => {
        const { data } = await alice.client.characters.GET('/api/v1/characters/{characterId}/inventory', {
          params: { path: { characterId: alice.characterId } },
        });
        return data?.items.find((item) => item.templateId === 'scope_smart_mk1');
      },
      AFTER_KILL_MS,
    );

    // A combat order: social locks the reward at economy, and the completed order pays the executor.
    const bobBefore = await eddiesOf(bob);
    const sheet = await alice.client.characters.GET('/api/v1/characters/{characterId}', {
      params: { path: { characterId: alice.characterId } },
    });
    const created = await alice.client.social.POST('/api/v1/social/orders', {
      body: {
        customerCharacterId: alice.characterId,
        orderType: 'combat',
        title: 'Clear the Maelstrom out of the warehouse',
        description: 'Quietly, if possible',
        districtId: sheet.data?.district as string,
        reward: 300,
        deadline: new Date(Date.now() + 86_400_000).toISOString(),
        accessLevel: 'public',
      },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const orderId = created.data?.orderId as string;
    const path = { params: { path: { orderId } } };
    const published = await alice.client.social.POST('/api/v1/social/orders/{orderId}/publish', path);
    assert.equal(published.response.status, 200, JSON.stringify(published.error));
    const applied = await bob.client.social.POST('/api/v1/social/orders/{orderId}/applications', {
      ...path,
      body: { characterId: bob.characterId, coverLetter: 'Done it before' },
    });
    assert.equal(applied.response.status, 201, JSON.stringify(applied.error));
    const accepted = await alice.client.social.POST(
      '/api/v1/social/orders/{orderId}/applications/{applicationId}/accept',
      { params: { path: { orderId, applicationId: applied.data?.applicationId as string } } },
    );
    assert.equal(accepted.data?.status, 'accepted', JSON.stringify(accepted.error));
    assert.equal(
      (await bob.client.social.POST('/api/v1/social/orders/{orderId}/start', path)).data?.status,
      'in_progress',
    );
    const delivered = await bob.client.social.POST('/api/v1/social/orders/{orderId}/deliver', {
      ...path,
      body: { note: 'Warehouse clear' },
    });
    assert.equal(delivered.data?.status, 'delivered');
    assert.equal(
      (await alice.client.social.POST('/api/v1/social/orders/{orderId}/complete', path)).data?.status,
      'completed',
    );
    assert.equal(
      await waitForValue(
        'the executor paid',
        async () => ((await eddiesOf(bob)) > bobBefore ? eddiesOf(bob) : undefined),
        AFTER_KILL_MS,
      ),
      bobBefore + 300,
    );

    const audit = await admin.economy.GET('/api/v1/economy/audit');
    assert.equal(audit.response.status, 200);
    assert.equal(audit.data?.balanced, true, JSON.stringify(audit.data));
    // The killed replicas stayed dead: the survivors served all of it.
    for (const victim of victims) {
      assert.equal(await docker('inspect', '--format', '{{.State.Running}}', victim), 'false');
    }
  });
});
