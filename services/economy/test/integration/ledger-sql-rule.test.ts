/**
 * The posted-leg rule lives twice: in TypeScript (`applyLegs`, src/domain/ledger.ts), which every
 * multi-leg movement goes through, and in SQL (`mvp_core.ledger_post_transfers`,
 * migrations/repeatable/ledger_post_transfers.sql), which posts P2P transfers and grants in batches.
 * Each case runs the same postings from the same starting accounts through both and compares what
 * they decide: posted or refused (with the available amount), the balances after, what was written.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { migrate } from '@necp/platform';
import { adapterLabel, createTestDatabase, type TestDatabase } from '@necp/platform/testing';
import { sql } from 'kysely';
import { type AccountKind, type AccountState, applyLegs, HOUSE_OWNER, LedgerRefusal } from '../../src/domain/ledger.ts';

/** A starting account; `absent` ones are opened by the posting (the SQL side) or start empty (the rule). */
interface Start {
  kind: AccountKind;
  balance?: number;
  held?: number;
  absent?: true;
}

interface Case {
  name: string;
  accounts: Record<string, Start>;
  /** Posted in one batch, in this order. */
  postings: Array<{ from: string; to: string; amount: number }>;
  /** The outcomes the case is about, as the TypeScript rule gives them: keeps each case testing its point. */
  shows: Array<'posted' | 'refused'> | 'invalid';
  /**
   * Why the two name the outcome differently although both move nothing: the case then compares
   * the balances, and that neither posted, instead of the outcome's name.
   */
  namedDifferently?: string;
}

const cases: Case[] = [
  {
    name: 'enough funds: posted, to an account opened on first use',
    accounts: { a: { kind: 'character', balance: 100 }, b: { kind: 'character', absent: true } },
    postings: [{ from: 'a', to: 'b', amount: 60 }],
    shows: ['posted'],
  },
  {
    name: 'exactly what is available: posted',
    accounts: { a: { kind: 'character', balance: 100 }, b: { kind: 'character', balance: 5 } },
    postings: [{ from: 'a', to: 'b', amount: 100 }],
    shows: ['posted'],
  },
  {
    name: 'one more than available: refused, with what is available',
    accounts: { a: { kind: 'character', balance: 50 }, b: { kind: 'character' } },
    postings: [{ from: 'a', to: 'b', amount: 51 }],
    shows: ['refused'],
  },
  {
    name: 'held value is not available: refused',
    accounts: { a: { kind: 'character', balance: 100, held: 60 }, b: { kind: 'character' } },
    postings: [{ from: 'a', to: 'b', amount: 50 }],
    shows: ['refused'],
  },
  {
    name: 'the rest beside a hold: posted',
    accounts: { a: { kind: 'character', balance: 100, held: 60 }, b: { kind: 'character' } },
    postings: [{ from: 'a', to: 'b', amount: 40 }],
    shows: ['posted'],
  },
  {
    name: 'a character without an account yet: refused',
    accounts: { a: { kind: 'character', absent: true }, b: { kind: 'character', balance: 10 } },
    postings: [{ from: 'a', to: 'b', amount: 1 }],
    shows: ['refused'],
  },
  {
    name: 'the house goes negative (it mints)',
    accounts: { house: { kind: 'house' }, a: { kind: 'character', absent: true } },
    postings: [{ from: 'house', to: 'a', amount: 500 }],
    shows: ['posted'],
  },
  {
    name: 'the house already below zero mints again',
    accounts: { house: { kind: 'house', balance: -1000 }, a: { kind: 'character', balance: 3 } },
    postings: [{ from: 'house', to: 'a', amount: 10 }],
    shows: ['posted'],
  },
  {
    name: 'an escrow account may not go negative',
    accounts: { escrow: { kind: 'escrow' }, a: { kind: 'character' } },
    postings: [{ from: 'escrow', to: 'a', amount: 1 }],
    shows: ['refused'],
  },
  {
    name: 'a crafting hold may not go negative',
    accounts: { hold: { kind: 'crafting_hold', balance: 5 }, house: { kind: 'house' } },
    postings: [{ from: 'hold', to: 'house', amount: 6 }],
    shows: ['refused'],
  },
  {
    name: 'a batch from one account: each sees the ones before, a refusal undoes nothing else',
    accounts: { a: { kind: 'character', balance: 100 }, b: { kind: 'character' }, c: { kind: 'character' } },
    postings: [
      { from: 'a', to: 'b', amount: 80 },
      { from: 'a', to: 'c', amount: 30 },
      { from: 'b', to: 'c', amount: 50 },
      { from: 'a', to: 'c', amount: 20 },
    ],
    shows: ['posted', 'refused', 'posted', 'posted'],
  },
  {
    name: 'a credit earlier in the batch makes a later debit fit',
    accounts: { house: { kind: 'house' }, a: { kind: 'character' }, escrow: { kind: 'escrow', absent: true } },
    postings: [
      { from: 'a', to: 'escrow', amount: 10 },
      { from: 'house', to: 'a', amount: 10 },
      { from: 'a', to: 'escrow', amount: 10 },
      { from: 'escrow', to: 'house', amount: 11 },
    ],
    shows: ['refused', 'posted', 'posted', 'refused'],
  },
  {
    name: 'the same account on both sides: refused as invalid, nothing written',
    accounts: { a: { kind: 'character', balance: 100 } },
    postings: [{ from: 'a', to: 'a', amount: 10 }],
    shows: 'invalid',
  },
  {
    name: 'the same account on both sides, more than available',
    accounts: { a: { kind: 'character', balance: 5 } },
    postings: [{ from: 'a', to: 'a', amount: 10 }],
    shows: 'invalid',
    // No caller can send it: the transfer route answers 400 for one character on both sides, and
    // grants always come from the house.
    namedDifferently: 'the SQL function checks the funds before the two sides, so it answers refused',
  },
  {
    name: 'a zero amount: invalid, nothing written',
    accounts: { a: { kind: 'character', balance: 5 }, b: { kind: 'character' } },
    postings: [{ from: 'a', to: 'b', amount: 0 }],
    shows: 'invalid',
  },
  {
    name: 'a negative amount: invalid, nothing written',
    accounts: { a: { kind: 'character', balance: 5 }, b: { kind: 'character' } },
    postings: [{ from: 'a', to: 'b', amount: -3 }],
    shows: 'invalid',
  },
];

/** What one side decided; `written` says whether the transfer is in the ledger after. */
type Decision = { outcome: 'posted'; written: boolean } | { outcome: 'refused'; available: number; written: boolean };

interface Run {
  /** Per posting, or 'invalid' when the whole batch was rejected. */
  decisions: Decision[] | 'invalid';
  balances: Record<string, { balance: number; held: number }>;
}

function byRule(test: Case): Run {
  const labels = Object.keys(test.accounts);
  const start = new Map<number, AccountState>(
    labels.map((label, index) => {
      const { kind, balance = 0, held = 0 } = test.accounts[label] as Start;
      return [index + 1, { id: index + 1, kind, ownerId: label, asset: 'EDD', balance, held }];
    }),
  );
  const idOf = (label: string) => labels.indexOf(label) + 1;
  let states = start;
  let decisions: Run['decisions'] = [];
  try {
    for (const posting of test.postings) {
      const leg = { type: 'posted' as const, debitAccountId: idOf(posting.from), creditAccountId: idOf(posting.to) };
      try {
        states = applyLegs(states, [{ ...leg, amount: posting.amount }]);
        decisions.push({ outcome: 'posted', written: true });
      } catch (error) {
        if (!(error instanceof LedgerRefusal)) throw error;
        decisions.push({ outcome: 'refused', available: error.available, written: false });
      }
    }
  } catch {
    // Anything but a refusal is a posting the rule does not accept at all: the store writes nothing.
    decisions = 'invalid';
    states = start;
  }
  const balances = Object.fromEntries(
    labels.map((label) => {
      const state = states.get(idOf(label)) as AccountState;
      return [label, { balance: state.balance, held: state.held }];
    }),
  );
  return { decisions, balances };
}

describe(`the posted-leg rule in TypeScript and in SQL on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await migrate(test.db, [{ scope: 'economy', directory: new URL('../../migrations/', import.meta.url) }]);
  });
  after(() => test.close());

  async function bySql(testCase: Case): Promise<Run> {
    const db = test.db.kysely;
    // An asset of the case's own keeps its accounts (the house's among them) apart from other cases'.
    const asset = `rule-${randomUUID().slice(0, 8)}`;
    const owners = Object.fromEntries(
      Object.entries(testCase.accounts).map(([label, start]) => [
        label,
        start.kind === 'house' ? HOUSE_OWNER : randomUUID(),
      ]),
    );
    for (const [label, start] of Object.entries(testCase.accounts)) {
      if (start.absent) continue;
      await sql`INSERT INTO mvp_core.ledger_accounts (kind, owner_id, asset, balance, held)
        VALUES (${start.kind}, ${owners[label]}, ${asset}, ${start.balance ?? 0}, ${start.held ?? 0})`.execute(db);
    }
    const items = testCase.postings.map((posting) => {
      const debit = testCase.accounts[posting.from] as Start;
      const credit = testCase.accounts[posting.to] as Start;
      const transferId = randomUUID();
      return {
        transfer_id: transferId,
        client_ref: `rule-test:${transferId}`,
        debit_kind: debit.kind,
        debit_owner: owners[posting.from],
        credit_kind: credit.kind,
        credit_owner: owners[posting.to],
        asset,
        amount: posting.amount,
        reason: 'grant',
        memo: null,
        actor_id: null,
        created_at: new Date(),
        event_id: randomUUID(),
        event_topic: 'economy.ledger.transfers',
        event_key: owners[posting.from],
        event_envelope: { transferId },
        event_producer: 'economy',
        event_traceparent: null,
        request_hash: null,
        debit_owned_by: null,
        credit_must_exist: false,
      };
    });
    let decisions: Run['decisions'];
    try {
      const { rows } = await sql<{ item: number; outcome: string; available: string | number | null }>`
        SELECT item, outcome, available FROM mvp_core.ledger_post_transfers(${JSON.stringify(items)}::jsonb)`.execute(
        db,
      );
      const written = await sql<{ id: string }>`
        SELECT id FROM mvp_core.ledger_transfers WHERE asset = ${asset}`.execute(db);
      const writtenIds = new Set(written.rows.map((row) => row.id));
      decisions = items.map((item, index): Decision => {
        const row = rows.find((each) => each.item === index + 1);
        const isWritten = writtenIds.has(item.transfer_id);
        if (row?.outcome === 'posted') return { outcome: 'posted', written: isWritten };
        if (row?.outcome === 'refused')
          return { outcome: 'refused', available: Number(row.available), written: isWritten };
        throw new Error(`item ${index + 1}: unexpected outcome ${JSON.stringify(row)}`);
      });
    } catch (error) {
      // The function refuses a batch it cannot write (a constraint of the ledger) as a whole.
      if (!(error instanceof Error) || !/violates check constraint/.test(error.message)) throw error;
      decisions = 'invalid';
    }
    const accounts = await sql<{ kind: string; owner_id: string; balance: string | number; held: string | number }>`
      SELECT kind, owner_id, balance, held FROM mvp_core.ledger_accounts WHERE asset = ${asset}`.execute(db);
    const balances = Object.fromEntries(
      Object.entries(testCase.accounts).map(([label, start]) => {
        const row = accounts.rows.find((each) => each.kind === start.kind && each.owner_id === owners[label]);
        // An account never opened holds nothing, as the rule's empty start.
        return [label, { balance: Number(row?.balance ?? 0), held: Number(row?.held ?? 0) }];
      }),
    );
    return { decisions, balances };
  }

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const rule = byRule(testCase);
      const shown = rule.decisions === 'invalid' ? 'invalid' : rule.decisions.map((decision) => decision.outcome);
      assert.deepEqual(shown, testCase.shows, 'the case still exercises what it is named for');
      const bySqlFunction = await bySql(testCase);
      if (testCase.namedDifferently === undefined) {
        assert.deepEqual(bySqlFunction, rule);
        return;
      }
      assert.deepEqual(bySqlFunction.balances, rule.balances, testCase.namedDifferently);
      const posted = (run: Run) =>
        run.decisions !== 'invalid' && run.decisions.some((each) => each.outcome === 'posted');
      assert.equal(posted(bySqlFunction) || posted(rule), false, 'neither posts it');
    });
  }
});
