import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { ledgerSums } from '../../src/store/audit.ts';
import type { EconomyTables } from '../../src/store/tables.ts';
import { type Economy, startEconomy } from '../support/harness.ts';

describe(`economy ledger on ${adapterLabel}`, () => {
  let economy: Economy;
  let admin: string;
  before(async () => {
    economy = await startEconomy();
    admin = await economy.adminToken();
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const balance = async (characterId: string, token: string, asset = 'EDD') => {
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${characterId}`, token);
    assert.equal(wallet.status, 200);
    return wallet.body.balances.find((entry: { asset: string }) => entry.asset === asset);
  };

  it('grants the starting kit by origin once, however often created arrives', async () => {
    const me = await economy.player('corpo');
    const created = {
      kind: 'created' as const,
      characterId: me.characterId,
      accountId: me.accountId,
      origin: 'corpo',
      class: 'techie',
      district: 'watson',
    };
    const eventId = randomUUID();
    await economy.deliver('characters.lifecycle', me.characterId, created, eventId);
    await economy.deliver('characters.lifecycle', me.characterId, created, eventId);
    await economy.deliver('characters.lifecycle', me.characterId, created);
    assert.deepEqual(await balance(me.characterId, me.token), { asset: 'EDD', available: 2500, held: 0 });
    assert.equal((await balance(me.characterId, me.token, 'metal')).available, 6);
    assert.equal((await balance(me.characterId, me.token, 'mechanics')).available, 2);
    assert.equal((await balance(me.characterId, me.token, 'rare_circuit')).available, 0);
  });

  it('moves eddies between characters and records both sides in the ledger', async () => {
    const alice = await economy.player();
    const bob = await economy.player();
    const sent = await economy.call('POST', '/api/v1/economy/transfers', alice.token, {
      fromCharacterId: alice.characterId,
      toCharacterId: bob.characterId,
      asset: 'EDD',
      amount: 250,
      memo: 'rent',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.equal(sent.body.amount, 250);
    assert.equal((await balance(alice.characterId, alice.token)).available, 750);
    assert.equal((await balance(bob.characterId, bob.token)).available, 1250);
    const ledger = await economy.call(
      'GET',
      `/api/v1/economy/wallets/${alice.characterId}/ledger?limit=1`,
      alice.token,
    );
    assert.equal(ledger.status, 200);
    assert.equal(ledger.body.items.length, 1);
    assert.equal(ledger.body.items[0].balanceChange, -250);
    assert.equal(ledger.body.items[0].counterparty.ownerId, bob.characterId);
    assert.ok(ledger.body.nextCursor);
    const older = await economy.call(
      'GET',
      `/api/v1/economy/wallets/${alice.characterId}/ledger?limit=100&cursor=${ledger.body.nextCursor}`,
      alice.token,
    );
    assert.ok(older.body.items.every((item: { reason: string }) => item.reason === 'starting_kit'));
    assert.equal(older.body.nextCursor, null);

    const announced = await economy.db.kysely
      .selectFrom('mvp_meta.outbox')
      .select('payload')
      .where('aggregatetype', '=', 'economy.ledger.transfers')
      .where('aggregateid', '=', alice.characterId)
      .execute();
    const payloads = announced.map((row) => (row.payload as { payload: Record<string, unknown> }).payload);
    assert.deepEqual(
      payloads.find((payload) => payload.transferId === sent.body.transferId),
      {
        transferId: sent.body.transferId,
        clientRef: payloads.find((payload) => payload.transferId === sent.body.transferId)?.clientRef,
        kind: 'posted',
        reason: 'p2p_transfer',
        asset: 'EDD',
        amount: 250,
        debit: { kind: 'character', ownerId: alice.characterId },
        credit: { kind: 'character', ownerId: bob.characterId },
        pendingId: null,
      },
      'the transfer committed with its event',
    );
  });

  it('refuses overdrafts with 422, strangers with 403, unknown characters with 404, bad bodies with 400', async () => {
    const alice = await economy.player();
    const bob = await economy.player();
    const transfer = (token: string, from: string, amount: number, extra: Record<string, unknown> = {}) =>
      economy.call('POST', '/api/v1/economy/transfers', token, {
        fromCharacterId: from,
        toCharacterId: bob.characterId,
        asset: 'EDD',
        amount,
        ...extra,
      });
    const broke = await transfer(alice.token, alice.characterId, 1001);
    assert.equal(broke.status, 422);
    assert.equal(broke.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal(broke.body.available, 1000);
    assert.equal((await transfer(bob.token, alice.characterId, 1)).body.code, 'CHARACTER_NOT_OWNED');
    assert.equal((await transfer(alice.token, randomUUID(), 1)).status, 404);
    assert.equal((await transfer(alice.token, alice.characterId, 0)).status, 400);
    assert.equal((await transfer(alice.token, alice.characterId, 1.5)).status, 400);
    assert.equal((await transfer(alice.token, alice.characterId, 1, { bonus: true })).status, 400);
    assert.equal((await transfer(alice.token, alice.characterId, 1, { asset: 'gold' })).status, 400);
    const anonymous = await fetch(`${economy.base}/api/v1/economy/wallets/${alice.characterId}`);
    assert.equal(anonymous.status, 401);
  });

  it('replays an Idempotency-Key without moving anything twice, and refuses it for another body', async () => {
    const alice = await economy.player();
    const bob = await economy.player();
    const key = randomUUID();
    const body = { fromCharacterId: alice.characterId, toCharacterId: bob.characterId, asset: 'EDD', amount: 100 };
    const first = await economy.call('POST', '/api/v1/economy/transfers', alice.token, body, {
      'idempotency-key': key,
    });
    const again = await economy.call('POST', '/api/v1/economy/transfers', alice.token, body, {
      'idempotency-key': key,
    });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal((await balance(alice.characterId, alice.token)).available, 900);
    const other = await economy.call(
      'POST',
      '/api/v1/economy/transfers',
      alice.token,
      { ...body, amount: 5 },
      { 'idempotency-key': key },
    );
    assert.equal(other.status, 422);
    assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await balance(alice.characterId, alice.token)).available, 900);
  });

  it('runs a refused keyed transfer again once it can succeed: a refusal stores no answer', async () => {
    const alice = await economy.player();
    const bob = await economy.player();
    const key = randomUUID();
    const body = { fromCharacterId: alice.characterId, toCharacterId: bob.characterId, asset: 'EDD', amount: 1500 };
    const refused = await economy.call('POST', '/api/v1/economy/transfers', alice.token, body, {
      'idempotency-key': key,
    });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'INSUFFICIENT_FUNDS');
    const admin = await economy.issuer.token(randomUUID(), ['admin']);
    const grant = { characterId: alice.characterId, asset: 'EDD', amount: 500, reason: 'top-up' };
    assert.equal((await economy.call('POST', '/api/v1/economy/grants', admin, grant)).status, 201);
    const retried = await economy.call('POST', '/api/v1/economy/transfers', alice.token, body, {
      'idempotency-key': key,
    });
    assert.equal(retried.status, 201);
    assert.equal(retried.headers.get('idempotent-replayed'), null);
    assert.deepEqual(await balance(alice.characterId, alice.token), { asset: 'EDD', available: 0, held: 0 });
  });

  it('moves once when the same key races with itself', async () => {
    const alice = await economy.player();
    const bob = await economy.player();
    const key = randomUUID();
    const body = { fromCharacterId: alice.characterId, toCharacterId: bob.characterId, asset: 'EDD', amount: 7 };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        economy.call('POST', '/api/v1/economy/transfers', alice.token, body, { 'idempotency-key': key }),
      ),
    );
    assert.ok(answers.every((answer) => answer.status === 201));
    assert.equal(new Set(answers.map((answer) => answer.body.transferId)).size, 1);
    assert.equal((await balance(alice.characterId, alice.token)).available, 993);
  });

  it('never overdraws under 50 racing transfers that exceed the balance, and never answers 5xx', async () => {
    const alice = await economy.player();
    const receivers = await Promise.all(Array.from({ length: 5 }, () => economy.player()));
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        economy.call('POST', '/api/v1/economy/transfers', alice.token, {
          fromCharacterId: alice.characterId,
          toCharacterId: (receivers[index % receivers.length] as { characterId: string }).characterId,
          asset: 'EDD',
          amount: 30,
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.ok(
      statuses.every((status) => status === 201 || status === 422),
      statuses.join(','),
    );
    assert.equal(statuses.filter((status) => status === 201).length, 33);
    assert.deepEqual(await balance(alice.characterId, alice.token), { asset: 'EDD', available: 10, held: 0 });
    let received = 0;
    for (const receiver of receivers)
      received += (await balance(receiver.characterId, receiver.token)).available - 1000;
    assert.equal(received, 990);
  });

  it('moves value both ways between two characters at once without deadlock, loss or 5xx', async () => {
    const alice = await economy.player();
    const bob = await economy.player();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => {
        const [from, to] = index % 2 === 0 ? [alice, bob] : [bob, alice];
        return economy.call(
          'POST',
          '/api/v1/economy/transfers',
          from.token,
          { fromCharacterId: from.characterId, toCharacterId: to.characterId, asset: 'EDD', amount: 10 + index },
          { 'idempotency-key': randomUUID() },
        );
      }),
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      answers.map(() => 201),
    );
    // Alice sent 10, 12, …, 48 and received 11, 13, …, 49: 20 more than she sent.
    assert.equal((await balance(alice.characterId, alice.token)).available, 1020);
    assert.equal((await balance(bob.characterId, bob.token)).available, 980);
  });

  it('asks character-service about a character whose created event has not arrived yet', async () => {
    const alice = await economy.player();
    const fresh = randomUUID();
    const owner = randomUUID();
    economy.issuer.remoteOwners.set(fresh, owner);
    const token = await economy.issuer.token(owner);
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${fresh}`, token);
    assert.equal(wallet.status, 200);
    assert.equal(wallet.body.balances[0].available, 0);
    const broke = await economy.call('POST', '/api/v1/economy/transfers', token, {
      fromCharacterId: fresh,
      toCharacterId: alice.characterId,
      asset: 'EDD',
      amount: 1,
    });
    assert.equal(broke.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal(
      (await economy.call('GET', `/api/v1/economy/wallets/${fresh}`, alice.token)).body.code,
      'CHARACTER_NOT_OWNED',
    );
    // As payee too: the ledger does not know it, character-service does, so it is paid once.
    const key = randomUUID();
    const paid = { fromCharacterId: alice.characterId, toCharacterId: fresh, asset: 'EDD', amount: 40 };
    const first = await economy.call('POST', '/api/v1/economy/transfers', alice.token, paid, {
      'idempotency-key': key,
    });
    const again = await economy.call('POST', '/api/v1/economy/transfers', alice.token, paid, {
      'idempotency-key': key,
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.deepEqual(again.body, first.body);
    assert.equal((await balance(fresh, token)).available, 40);
    assert.equal((await balance(alice.characterId, alice.token)).available, 960);
    const grant = { characterId: fresh, asset: 'EDD', amount: 2, reason: 'welcome' };
    assert.equal((await economy.call('POST', '/api/v1/economy/grants', admin, grant)).status, 201);
    const counted = await (await fetch(`${economy.base}/metrics`)).text();
    assert.match(counted, /economy_ledger_transfers_total\{[^}]*outcome="unknown_party"[^}]*\} [1-9]/);
  });

  it('refuses a transfer or grant to a character that does not exist or was deleted, moving nothing', async () => {
    const alice = await economy.player();
    const gone = await economy.player();
    await economy.deliver('characters.lifecycle', gone.characterId, {
      kind: 'deleted',
      characterId: gone.characterId,
      accountId: gone.accountId,
      origin: 'street_kid',
      class: 'techie',
      district: 'watson',
    });
    const nobody = randomUUID();
    for (const toCharacterId of [nobody, gone.characterId]) {
      const sent = await economy.call('POST', '/api/v1/economy/transfers', alice.token, {
        fromCharacterId: alice.characterId,
        toCharacterId,
        asset: 'EDD',
        amount: 100,
      });
      assert.equal(sent.status, 404, JSON.stringify(sent.body));
      assert.equal(sent.body.code, 'NOT_FOUND');
      const granted = await economy.call('POST', '/api/v1/economy/grants', admin, {
        characterId: toCharacterId,
        asset: 'EDD',
        amount: 100,
        reason: 'typo',
      });
      assert.equal(granted.status, 404, JSON.stringify(granted.body));
    }
    assert.equal((await balance(alice.characterId, alice.token)).available, 1000);
    const { rows } = await sql<{ owner_id: string; balance: string }>`
      SELECT owner_id, balance::text FROM mvp_core.ledger_accounts
      WHERE asset = 'EDD' AND owner_id IN (${nobody}, ${gone.characterId})`.execute(economy.db.kysely);
    assert.deepEqual(rows, [{ owner_id: gone.characterId, balance: '1000' }]);
  });

  it('mints grants for admins and services only, idempotently', async () => {
    const alice = await economy.player();
    const body = { characterId: alice.characterId, asset: 'rare_circuit', amount: 3, reason: 'event prize' };
    assert.equal((await economy.call('POST', '/api/v1/economy/grants', alice.token, body)).status, 403);
    const service = await economy.issuer.token('service:social', ['service']);
    const key = randomUUID();
    const first = await economy.call('POST', '/api/v1/economy/grants', service, body, { 'idempotency-key': key });
    const again = await economy.call('POST', '/api/v1/economy/grants', service, body, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal((await balance(alice.characterId, alice.token, 'rare_circuit')).available, 3);
    const audit = await economy.call('GET', '/api/v1/economy/audit', admin);
    const house = audit.body.assets.find((asset: { asset: string }) => asset.asset === 'rare_circuit');
    assert.equal(house.sum, 0);
    assert.equal((await economy.call('GET', '/api/v1/economy/audit', alice.token)).status, 403);
  });
  // Transfers name their accounts, and history lines their escrows, without foreign keys
  // (migrations/013, 014): what stands in for them.
  it('never removes or renumbers an account or an escrow, and audits a transfer naming a missing account', async () => {
    const db = economy.db.typed<EconomyTables>();
    await assert.rejects(
      sql`DELETE FROM mvp_core.escrows WHERE order_id IS NULL`.execute(db),
      /DELETE on escrows refused/,
    );
    await assert.rejects(
      sql`DELETE FROM mvp_core.ledger_accounts WHERE id = -1`.execute(db),
      /DELETE on ledger_accounts refused/,
    );
    await assert.rejects(
      sql`UPDATE mvp_core.ledger_accounts SET id = DEFAULT WHERE id = -1`.execute(db),
      /UPDATE on ledger_accounts refused/,
    );
    // Written and audited in a transaction that is then undone (the audit after each test must balance).
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO mvp_core.ledger_transfers (id, client_ref, kind, debit_account_id, credit_account_id, asset, amount, reason)
          SELECT ${randomUUID()}::uuid, ${randomUUID()}, 'posted', max(id) + 1000000, max(id) + 2000000, 'EDD', 1, 'probe'
          FROM mvp_core.ledger_accounts`.execute(trx);
        const edd = (await ledgerSums(trx)).find((sums) => sums.asset === 'EDD');
        assert.equal(edd?.mismatchedAccounts, 1);
        throw new Error('undone');
      }),
      /undone/,
    );
  });
});
