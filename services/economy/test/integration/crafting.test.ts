import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { auditLedger } from '../../src/flows/audit.ts';
import { cancelJob, pauseJob } from '../../src/flows/crafting-job-actions.ts';
import type { EconomyTables, Trx } from '../../src/store/tables.ts';
import { type Economy, startEconomy } from '../support/harness.ts';

// One game minute per wall second: ricochet_rounds (60 s) takes 1 s, smart_scope_mk1 × 10 takes 20 s.
const TIME_SCALE = '60';

describe(`economy crafting on ${adapterLabel}`, () => {
  let economy: Economy;
  let admin: string;
  let operator: string;
  before(async () => {
    process.env.ECONOMY_CRAFTING_TICK_MS = '50';
    economy = await startEconomy({ TIME_SCALE });
    admin = await economy.adminToken();
    operator = await economy.issuer.token('operator-1', ['world.operator']);
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const material = async (characterId: string, asset: string) => {
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${characterId}`, admin);
    const { available, held } = wallet.body.balances.find((entry: { asset: string }) => entry.asset === asset);
    return { available, held };
  };
  const craft = (token: string, characterId: string, blueprintId: string, workshopId: string, quantity = 1) =>
    economy.call('POST', '/api/v1/economy/crafting/jobs', token, { characterId, blueprintId, workshopId, quantity });
  const job = async (jobId: string, token = admin) =>
    (await economy.call('GET', `/api/v1/economy/crafting/jobs/${jobId}`, token)).body;
  const until = async (jobId: string, status: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await job(jobId);
      if (current.status === status) return current;
      if (Date.now() > deadline) assert.fail(`job ${jobId} is ${current.status}, not ${status}`);
      await sleep(50);
    }
  };
  /** Runs a store function in a transaction of its own, as a route would. */
  const inStore = <T>(work: (trx: Trx) => Promise<T>) => economy.db.typed<EconomyTables>().transaction().execute(work);
  /** Refused because the job's work is done, not because the scheduler already completed it. */
  const refusedAsFinished = (error: { code?: string; message?: string }) =>
    error.code === 'INVALID_STATE' && /is finished/.test(error.message ?? '');
  const jobEvents = async (jobId: string) => {
    const rows = await sql<{ status: string; quantity: number }>`
      SELECT payload->'payload'->>'status' AS status, (payload->'payload'->>'quantity')::int AS quantity
      FROM mvp_meta.outbox WHERE aggregatetype = 'economy.crafting.jobs' AND aggregateid = ${jobId} ORDER BY seq`.execute(
      economy.db.kysely,
    );
    return rows.rows;
  };

  it('serves the catalogues', async () => {
    const me = await economy.player();
    const blueprints = await economy.call('GET', '/api/v1/economy/crafting/blueprints', me.token);
    assert.equal(blueprints.body.items.length, 5);
    const mk2 = await economy.call('GET', '/api/v1/economy/crafting/blueprints/smart_scope_mk2', me.token);
    assert.deepEqual(mk2.body.requiredSkill, { skill: 'engineering', level: 40 });
    assert.equal((await economy.call('GET', '/api/v1/economy/crafting/blueprints/nope', me.token)).status, 404);
    const workshops = await economy.call('GET', '/api/v1/economy/crafting/workshops', me.token);
    assert.deepEqual(
      workshops.body.items.map((w: { workshopId: string; capacity: number }) => [w.workshopId, w.capacity]),
      [
        ['bunker_forge', 1],
        ['corpo_lab', 4],
        ['street_garage', 2],
      ],
    );
    assert.equal((await economy.call('GET', '/api/v1/economy/materials', me.token)).body.items.length, 8);
  });

  it('holds materials, completes on the clock, consumes the hold and emits the job events', async () => {
    const me = await economy.player();
    const created = await craft(me.token, me.characterId, 'ricochet_rounds', 'corpo_lab');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'processing');
    assert.ok(created.body.eta);
    assert.deepEqual(await material(me.characterId, 'metal'), { available: 4, held: 2 });
    const done = await until(created.body.jobId, 'completed');
    assert.equal(done.progressPercent, 100);
    assert.deepEqual(done.materialsConsumed, { chemicals: 1, metal: 2 });
    assert.deepEqual(await material(me.characterId, 'metal'), { available: 4, held: 0 });
    assert.deepEqual(await material(me.characterId, 'chemicals'), { available: 1, held: 0 });
    const events = await jobEvents(created.body.jobId);
    assert.deepEqual(
      events.map((event) => event.status),
      ['queued', 'processing', ...events.slice(2, -1).map(() => 'processing'), 'completed'],
    );
    assert.equal(events.at(-1)?.quantity, 10);
  });

  it('refuses missing materials, low skill, a locked workshop and a fourth active job', async () => {
    const solo = await economy.player('street_kid', 'solo');
    const lowSkill = await craft(solo.token, solo.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(lowSkill.status, 422);
    assert.equal(lowSkill.body.code, 'SKILL_TOO_LOW');

    const me = await economy.player();
    const missing = await craft(me.token, me.characterId, 'ricochet_rounds', 'corpo_lab', 3);
    assert.equal(missing.status, 422);
    assert.equal(missing.body.code, 'MISSING_MATERIALS');
    assert.deepEqual(missing.body.missingMaterials, [{ asset: 'chemicals', required: 3, available: 2 }]);

    const locked = await economy.call('PATCH', '/api/v1/economy/crafting/workshops/bunker_forge', operator, {
      status: 'maintenance',
    });
    assert.equal(locked.status, 200);
    assert.equal(locked.body.status, 'maintenance');
    const refused = await craft(me.token, me.characterId, 'ricochet_rounds', 'bunker_forge');
    assert.equal(refused.status, 423);
    assert.equal(refused.body.code, 'WORKSHOP_LOCKED');
    const playerPatch = await economy.call('PATCH', '/api/v1/economy/crafting/workshops/bunker_forge', me.token, {
      status: 'online',
    });
    assert.equal(playerPatch.status, 403);
    await economy.call('PATCH', '/api/v1/economy/crafting/workshops/bunker_forge', operator, { status: 'online' });

    await economy.call('POST', '/api/v1/economy/grants', admin, {
      characterId: me.characterId,
      asset: 'electronics',
      amount: 20,
      reason: 'test stock',
    });
    await economy.call('POST', '/api/v1/economy/grants', admin, {
      characterId: me.characterId,
      asset: 'glass',
      amount: 20,
      reason: 'test stock',
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => craft(me.token, me.characterId, 'smart_scope_mk1', 'corpo_lab', 2)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 409, 409]);
    assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'QUEUE_FULL'));
    for (const answer of answers.filter((a) => a.status === 201)) {
      const cancelled = await economy.call(
        'POST',
        `/api/v1/economy/crafting/jobs/${answer.body.jobId}/cancel`,
        me.token,
      );
      assert.equal(cancelled.status, 200);
    }
    const stranger = await economy.player();
    const list = await economy.call(
      'GET',
      `/api/v1/economy/crafting/jobs?characterId=${me.characterId}&limit=2`,
      me.token,
    );
    assert.equal(list.body.items.length, 2);
    assert.ok(list.body.nextCursor);
    const rest = await economy.call(
      'GET',
      `/api/v1/economy/crafting/jobs?characterId=${me.characterId}&limit=2&cursor=${list.body.nextCursor}`,
      me.token,
    );
    assert.equal(rest.body.items.length, 1);
    assert.equal(
      (await economy.call('GET', `/api/v1/economy/crafting/jobs?characterId=${me.characterId}`, stranger.token)).status,
      403,
    );
  });

  it("checks skills against character-service's answer, asked anew for each skill-gated job", async () => {
    const cancel = async (token: string, jobId: string) =>
      assert.equal((await economy.call('POST', `/api/v1/economy/crafting/jobs/${jobId}/cancel`, token)).status, 200);
    // A solo starts at engineering 5; this one has trained to 12, which is what character-service says.
    const trained = await economy.player('street_kid', 'solo', { engineering: 12, ballistics: 30 });
    const accepted = await craft(trained.token, trained.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.deepEqual(await material(trained.characterId, 'electronics'), { available: 2, held: 2 });
    await cancel(trained.token, accepted.body.jobId);

    // A techie starts at 35, but character-service now says 9: refused, nothing held.
    const rusty = await economy.player('street_kid', 'techie', { engineering: 9 });
    const refused = await craft(rusty.token, rusty.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'SKILL_TOO_LOW');
    assert.deepEqual([refused.body.skill, refused.body.required, refused.body.actual], ['engineering', 10, 9]);
    assert.deepEqual(await material(rusty.characterId, 'electronics'), { available: 4, held: 0 });

    // Skills are not cached: a change at character-service decides the next job.
    economy.issuer.remoteSkills.set(trained.characterId, { engineering: 9 });
    const after = await craft(trained.token, trained.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(after.body.code, 'SKILL_TOO_LOW');
    economy.issuer.remoteSkills.set(rusty.characterId, { engineering: 10 });
    const now = await craft(rusty.token, rusty.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(now.status, 201, JSON.stringify(now.body));
    await cancel(rusty.token, now.body.jobId);

    // A blueprint without a skill does not ask.
    const lookups = economy.issuer.skillLookups;
    const rounds = await craft(rusty.token, rusty.characterId, 'ricochet_rounds', 'corpo_lab');
    assert.equal(rounds.status, 201);
    assert.equal(economy.issuer.skillLookups, lookups);
    await cancel(rusty.token, rounds.body.jobId);

    // A character character-service does not have (deleted meanwhile) is not found.
    economy.issuer.remoteSkills.delete(rusty.characterId);
    const gone = await craft(rusty.token, rusty.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'NOT_FOUND');
  });

  it('answers 503 UPSTREAM_UNAVAILABLE for a skill-gated job while character-service is down, holding nothing', async () => {
    const me = await economy.player();
    const key = { 'idempotency-key': `scope-${me.characterId}` };
    const body = { characterId: me.characterId, blueprintId: 'smart_scope_mk1', workshopId: 'corpo_lab', quantity: 1 };
    const before = await economy.call('POST', '/api/v1/economy/crafting/jobs', me.token, body, key);
    assert.equal(before.status, 201, JSON.stringify(before.body));
    await economy.call('POST', `/api/v1/economy/crafting/jobs/${before.body.jobId}/cancel`, me.token);
    const electronics = await material(me.characterId, 'electronics');
    economy.issuer.characterServiceDown = true;
    try {
      // A replay of a create answered before needs nothing from character-service.
      const replay = await economy.call('POST', '/api/v1/economy/crafting/jobs', me.token, body, key);
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.jobId, before.body.jobId);

      const down = await craft(me.token, me.characterId, 'smart_scope_mk1', 'corpo_lab');
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.equal(down.body.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal(down.body.status, 503);
      assert.match(down.body.detail, /character-service cannot be reached/);
      assert.match(down.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(Number(down.headers.get('retry-after')) >= 1, 'says when to try again');
      assert.deepEqual(await material(me.characterId, 'electronics'), electronics, 'nothing held');
      const jobs = await economy.call('GET', `/api/v1/economy/crafting/jobs?characterId=${me.characterId}`, me.token);
      assert.deepEqual(
        jobs.body.items.map((item: { jobId: string }) => item.jobId),
        [before.body.jobId],
        'no job was made',
      );

      // Jobs that need no skill do not depend on character-service.
      const rounds = await craft(me.token, me.characterId, 'ricochet_rounds', 'corpo_lab');
      assert.equal(rounds.status, 201);
      await economy.call('POST', `/api/v1/economy/crafting/jobs/${rounds.body.jobId}/cancel`, me.token);
    } finally {
      economy.issuer.characterServiceDown = false;
    }
    const back = await craft(me.token, me.characterId, 'smart_scope_mk1', 'corpo_lab');
    assert.equal(back.status, 201, JSON.stringify(back.body));
    await economy.call('POST', `/api/v1/economy/crafting/jobs/${back.body.jobId}/cancel`, me.token);
  });

  it('queues until a slot frees, refunds by progress on cancel, and pauses for operators', async () => {
    const first = await economy.player();
    const second = await economy.player();
    for (const [asset, amount] of [
      ['electronics', 16],
      ['glass', 8],
    ] as const) {
      await economy.call('POST', '/api/v1/economy/grants', admin, {
        characterId: first.characterId,
        asset,
        amount,
        reason: 'test stock',
      });
    }
    // bunker_forge has one slot: the second job waits.
    const running = await craft(first.token, first.characterId, 'smart_scope_mk1', 'bunker_forge', 10);
    const waiting = await craft(second.token, second.characterId, 'smart_scope_mk1', 'bunker_forge', 1);
    assert.equal(running.body.status, 'processing');
    assert.equal(waiting.body.status, 'queued');

    const paused = await economy.call('POST', `/api/v1/economy/crafting/jobs/${running.body.jobId}/pause`, operator);
    assert.equal(paused.status, 200);
    assert.equal(paused.body.status, 'paused');
    const frozen = paused.body.progressPercent;
    await sleep(300);
    assert.equal((await job(running.body.jobId)).progressPercent, frozen);
    assert.equal(
      (await economy.call('POST', `/api/v1/economy/crafting/jobs/${running.body.jobId}/pause`, first.token)).status,
      403,
    );
    const resumed = await economy.call('POST', `/api/v1/economy/crafting/jobs/${running.body.jobId}/resume`, operator);
    assert.equal(resumed.body.status, 'processing');
    await sleep(2100);

    const cancelled = await economy.call(
      'POST',
      `/api/v1/economy/crafting/jobs/${running.body.jobId}/cancel`,
      first.token,
    );
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    const progress = cancelled.body.progressPercent / 100;
    assert.ok(progress > 0.05 && progress < 0.5, String(progress));
    const consumedElectronics = cancelled.body.materialsConsumed.electronics;
    assert.equal(consumedElectronics, 20 - Math.floor(20 * (1 - progress)));
    assert.deepEqual(await material(first.characterId, 'electronics'), {
      available: 20 - consumedElectronics,
      held: 0,
    });
    assert.equal((await until(waiting.body.jobId, 'processing', 2000)).status, 'processing');
    await economy.call('POST', `/api/v1/economy/crafting/jobs/${waiting.body.jobId}/cancel`, second.token);
  });

  it('creates jobs racing at one workshop without deadlock or 5xx, never past its capacity', async () => {
    const crafters = await Promise.all(Array.from({ length: 8 }, () => economy.player()));
    const answers = await Promise.all(
      crafters.map((crafter) => craft(crafter.token, crafter.characterId, 'ricochet_rounds', 'street_garage')),
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      answers.map(() => 201),
      JSON.stringify(answers.map((answer) => answer.body)),
    );
    const busy = await sql<{ n: string }>`
      SELECT count(*) AS n FROM mvp_core.crafting_jobs
      WHERE workshop_id = 'street_garage' AND status IN ('processing', 'paused')`.execute(economy.db.kysely);
    assert.ok(Number(busy.rows[0]?.n) <= 2, `street_garage (2 slots) runs ${busy.rows[0]?.n} jobs`);
    for (const answer of answers) await until(answer.body.jobId, 'completed', 15_000);
  });

  it('cancels or completes a job whose cancels race its completion, never both', async () => {
    const crafters = await Promise.all(Array.from({ length: 3 }, () => economy.player()));
    const jobs = await Promise.all(
      crafters.map((crafter) => craft(crafter.token, crafter.characterId, 'ricochet_rounds', 'corpo_lab')),
    );
    assert.deepEqual(
      jobs.map((created) => created.status),
      [201, 201, 201],
    );
    // Jobs of earlier tests may still hold the workshop's slots: each race starts once its job runs.
    const running = await Promise.all(jobs.map((created) => until(created.body.jobId, 'processing', 10_000)));
    // ricochet_rounds takes 60 s, a second here: cancels every 10 ms from 150 ms before each job's
    // eta to 150 ms after it straddle the scheduler's completion (a tick every 50 ms).
    const answers = await Promise.all(
      jobs.map(async (created, index) => {
        const token = (crafters[index] as { token: string }).token;
        await sleep(Math.max(0, Date.parse(running[index].eta) - 150 - Date.now()));
        const tries = [];
        for (let attempt = 0; attempt < 30; attempt++) {
          tries.push(economy.call('POST', `/api/v1/economy/crafting/jobs/${created.body.jobId}/cancel`, token));
          await sleep(10);
        }
        return Promise.all(tries);
      }),
    );
    for (const [index, created] of jobs.entries()) {
      const cancels = answers[index] as { status: number; body: { status: string; code?: string } }[];
      assert.ok(
        cancels.every(
          (answer) =>
            (answer.status === 200 && answer.body.status === 'cancelled') ||
            (answer.status === 409 && answer.body.code === 'INVALID_STATE'),
        ),
        JSON.stringify(cancels.map((answer) => answer.body)),
      );
      const final = await job(created.body.jobId);
      const crafter = (crafters[index] as { characterId: string }).characterId;
      const completions = (await jobEvents(created.body.jobId)).filter((event) => event.status === 'completed');
      if (cancels.some((answer) => answer.status === 200)) {
        assert.equal(final.status, 'cancelled');
        assert.ok(final.progressPercent < 100, `cancelled at ${final.progressPercent}%: done work refunds nothing`);
        assert.equal(completions.length, 0);
        // Refunded by progress: what was not consumed is back, nothing is held.
        const consumed = final.materialsConsumed as Record<string, number>;
        assert.deepEqual(await material(crafter, 'metal'), { available: 6 - (consumed.metal ?? 0), held: 0 });
        assert.deepEqual(await material(crafter, 'chemicals'), {
          available: 2 - (consumed.chemicals ?? 0),
          held: 0,
        });
      } else {
        assert.equal(final.status, 'completed');
        assert.equal(completions.length, 1);
        assert.deepEqual(await material(crafter, 'metal'), { available: 4, held: 0 });
        assert.deepEqual(await material(crafter, 'chemicals'), { available: 1, held: 0 });
      }
    }
  });

  it('refuses to cancel a job whose work is done before the scheduler completes it, which then delivers', async () => {
    const me = await economy.player();
    const created = await craft(me.token, me.characterId, 'ricochet_rounds', 'corpo_lab');
    assert.equal(created.body.status, 'processing');
    // A cancel that arrives after the job's due time but before the scheduler's next tick (a tick
    // late, or the service just back from downtime) would consume every material and deliver nothing.
    const afterDue = new Date(Date.parse(created.body.eta) + 1000);
    await assert.rejects(
      inStore((trx) => cancelJob(trx, created.body.jobId, afterDue)),
      refusedAsFinished,
    );
    // Due by the scheduler's test (`due_at`, whole milliseconds) while the progress is a fraction short.
    const now = new Date();
    await assert.rejects(
      inStore(async (trx) => {
        await trx
          .updateTable('mvp_core.crafting_jobs')
          .set({ due_at: new Date(now.getTime() - 1) })
          .where('id', '=', created.body.jobId)
          .execute();
        return cancelJob(trx, created.body.jobId, now);
      }),
      refusedAsFinished,
    );
    const done = await until(created.body.jobId, 'completed');
    assert.deepEqual(done.materialsConsumed, { chemicals: 1, metal: 2 });
    assert.equal((await jobEvents(created.body.jobId)).filter((event) => event.status === 'completed').length, 1);
  });

  it('refuses to pause a job whose work is done, which then completes instead of waiting for a resume', async () => {
    const me = await economy.player();
    const created = await craft(me.token, me.characterId, 'ricochet_rounds', 'corpo_lab');
    for (const at of [new Date(Date.parse(created.body.eta) + 1000), new Date(created.body.eta)]) {
      await assert.rejects(
        inStore((trx) => pauseJob(trx, created.body.jobId, at)),
        refusedAsFinished,
      );
    }
    const done = await until(created.body.jobId, 'completed');
    assert.deepEqual(done.materialsConsumed, { chemicals: 1, metal: 2 });
  });

  it('completes a job that fell due while the service was down, with the ledger balanced meanwhile', async () => {
    const me = await economy.player();
    const created = await craft(me.token, me.characterId, 'ricochet_rounds', 'street_garage');
    assert.equal(created.body.status, 'processing');
    // The hold is committed; the post has not happened. Stop everything as a crash would.
    await economy.stop();
    const whileDown = await auditLedger(economy.db.typed<EconomyTables>());
    assert.equal(whileDown.balanced, true);
    await sleep(1200);
    await economy.start();
    const done = await job(created.body.jobId);
    assert.equal(done.status, 'completed');
    assert.deepEqual(await material(me.characterId, 'metal'), { available: 4, held: 0 });
    assert.equal((await jobEvents(created.body.jobId)).filter((event) => event.status === 'completed').length, 1);
  });

  it("takes a district's latest unrest tier from a batch of updates, once per event", async () => {
    const me = await economy.player();
    const workshops = await economy.call('GET', '/api/v1/economy/crafting/workshops', me.token);
    const { district } = workshops.body.items[0] as { district: string };
    const stressed = async () => {
      const listed = await economy.call('GET', '/api/v1/economy/crafting/workshops', me.token);
      return listed.body.items.find((w: { district: string }) => w.district === district).stressed as boolean;
    };
    const update = (tier: string) => ({
      key: district,
      payload: {
        districtId: district,
        impactId: randomUUID(),
        previousLevel: 0,
        newLevel: 0,
        delta: 0,
        tier,
        sourceType: 'test',
        sourceId: 'test',
        minor: false,
        recommendations: [],
      },
    });
    const [firstCrisis] = await economy.deliverAll('world.unrest.updates', [
      update('crisis'),
      update('normal'),
      update('crisis'),
    ]);
    assert.equal(await stressed(), true, 'the last update of the batch wins');
    await economy.deliverAll('world.unrest.updates', [update('normal')]);
    assert.equal(await stressed(), false);
    await economy.deliverAll('world.unrest.updates', [{ ...update('crisis'), eventId: firstCrisis as string }]);
    assert.equal(await stressed(), false, 'a redelivered event changes nothing');
  });
});
