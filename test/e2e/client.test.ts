import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createNecpClient, type StreamEvent, type Tokens } from '@necp/client';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

describe('the typed client (packages/client) against the whole backend', () => {
  let e2e: E2eBackend;
  before(async () => {
    e2e = await startE2eBackend();
  });
  after(() => e2e.stop());

  it('registers, signs in, creates a character and reads its wallet with typed calls', async () => {
    const client = createNecpClient({ baseUrl: e2e.gateway });
    const name = `c${randomUUID().slice(0, 8)}`;
    const password = `Pw-${randomUUID()}`;
    const registered = await client.auth.POST('/api/v1/auth/register', {
      body: { email: `${name}@example.com`, username: name, password },
    });
    assert.equal(registered.response.status, 201);
    await client.session.login(name, password);

    const created = await client.characters.POST('/api/v1/characters', {
      body: { name: `Typed ${name.slice(1, 6)}`, origin: 'corpo', class: 'netrunner' },
    });
    assert.equal(created.response.status, 201);
    const characterId = created.data?.characterId;
    assert.ok(characterId);
    const sheet = await client.characters.GET('/api/v1/characters/{characterId}', {
      params: { path: { characterId } },
    });
    assert.equal(sheet.data?.class, 'netrunner');
    const refused = await client.economy.GET('/api/v1/economy/wallets/{characterId}', {
      params: { path: { characterId: randomUUID() } },
    });
    assert.equal(refused.response.status, 404, 'a character that is nobody’s is not found');
    assert.equal(refused.error?.code, 'NOT_FOUND');
  });

  it('refreshes a refused access token once, retries the request, and keeps the rotated tokens', async () => {
    const seen: (Tokens | null)[] = [];
    const client = createNecpClient({ baseUrl: e2e.gateway, onTokens: (tokens) => seen.push(tokens) });
    const signedIn = await client.session.login('admin', e2e.adminPassword);
    const expired = { accessToken: `${signedIn.accessToken.slice(0, -4)}AAAA`, refreshToken: signedIn.refreshToken };
    const resumed = createNecpClient({
      baseUrl: e2e.gateway,
      tokens: expired,
      onTokens: (tokens) => seen.push(tokens),
    });

    const [first, second] = await Promise.all([
      resumed.auth.GET('/api/v1/auth/me'),
      resumed.characters.GET('/api/v1/characters'),
    ]);
    assert.equal(first.data?.username, 'admin');
    assert.equal(second.response.status, 200);
    const rotated = resumed.session.tokens;
    assert.ok(rotated && rotated.refreshToken !== signedIn.refreshToken, 'one refresh, a rotated refresh token');
    assert.equal(seen.length, 2, 'sign-in, then exactly one rotation for both refused requests');

    await resumed.session.logout();
    assert.equal(resumed.session.tokens, null);
    const afterLogout = createNecpClient({ baseUrl: e2e.gateway, tokens: rotated });
    const gone = await afterLogout.auth.GET('/api/v1/auth/me');
    assert.equal(gone.response.status, 401, 'the session ended at the server: no refresh brings it back');
  });
});

describe('the typed client’s realtime stream', () => {
  let e2e: E2eBackend;
  before(async () => {
    e2e = await startE2eBackend();
  });
  after(() => e2e.stop());

  it('delivers world updates with their sequence numbers, and resumes after the last event it saw', async () => {
    const client = createNecpClient({ baseUrl: e2e.gateway });
    await client.session.login('admin', e2e.adminPassword);
    const received: { topic: string; event: StreamEvent; seq: number }[] = [];
    const waiters: (() => void)[] = [];
    const receivedImpact = (impactId: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.some(({ event }) => (event.payload as { impactId?: string }).impactId === impactId)) resolve();
          else waiters.push(check);
        };
        check();
      });
    const listen = (since?: string) => {
      let ready: () => void = () => undefined;
      const isReady = new Promise<void>((resolve) => {
        ready = resolve;
      });
      const handle = client.stream({
        districts: ['watson'],
        ...(since ? { since } : {}),
        onEvent: (topic, event, seq) => {
          received.push({ topic, event, seq });
          for (const waiter of waiters.splice(0)) waiter();
        },
        onControl: (message) => {
          if (message.control === 'ready') ready();
        },
      });
      return { handle, isReady };
    };
    const apply = async (sourceId: string) => {
      const applied = await client.world.POST('/api/v1/world/impact/apply', {
        body: { districtId: 'watson', deltaUnrest: 1, sourceType: 'manual', sourceId },
      });
      assert.equal(applied.response.status, 201);
      return applied.data?.impactId as string;
    };

    const first = listen();
    await first.isReady;
    const seen = await apply('stream-first');
    await receivedImpact(seen);
    const [update] = received;
    assert.equal(update?.topic, 'world.unrest.updates');
    assert.equal(update?.seq, 2, 'the ready message is 1');
    const resumeAfter = first.handle.lastEventId;
    first.handle.close();

    const missed = await apply('stream-missed');
    const second = listen(resumeAfter);
    await receivedImpact(missed);
    assert.deepEqual(
      received.map(({ event }) => (event.payload as { sourceId: string }).sourceId),
      ['stream-first', 'stream-missed'],
    );
    second.handle.close();
    await second.isReady;
  });
});
