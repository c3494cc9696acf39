import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EventEnvelope, TopicPayload } from '@necp/contracts';
import { adapterLabel, waitFor } from '@necp/platform/testing';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

type Job = TopicPayload<'economy.crafting.jobs'>;

function jobEvent(job: Job): EventEnvelope<Job> {
  return {
    eventId: randomUUID(),
    type: 'economy.crafting.jobs',
    occurredAt: new Date().toISOString(),
    producer: 'economy-service',
    traceId: randomUUID().replaceAll('-', ''),
    key: job.jobId,
    payload: job,
  };
}

async function deliver(envelope: EventEnvelope<Job>): Promise<void> {
  await h.runtime.bus.publish([
    { topic: 'economy.crafting.jobs', key: envelope.key, envelope, headers: { id: envelope.eventId } },
  ]);
}

async function quantityOf(player: Player, characterId: string, templateId: string): Promise<number> {
  const response = await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: player });
  return response.body.items
    .filter((item: { templateId: string }) => item.templateId === templateId)
    .reduce((sum: number, item: { quantity: number }) => sum + item.quantity, 0);
}

/** The bus may hand records over asynchronously (Kafka): wait until the expected state shows. */
describe(`crafted output (${adapterLabel})`, () => {
  it('grants the output of a completed job once, whatever the redeliveries and repeats', async () => {
    const player = await h.player();
    const { characterId } = (await createCharacter(h, player, { class: 'techie' })).body;
    const job: Job = {
      jobId: randomUUID(),
      characterId,
      blueprintId: 'ricochet_rounds',
      status: 'processing',
      progressPercent: 50,
      eta: new Date().toISOString(),
      materialsConsumed: { chemicals: 1, metal: 2 },
      outputTemplateId: 'ricochet_rounds',
      quantity: 10,
      linkedOrderId: null,
      workshopId: 'street_garage',
    };
    await deliver(jobEvent(job));
    assert.equal(await quantityOf(player, characterId, 'ricochet_rounds'), 0, 'nothing before completion');
    const completed = jobEvent({ ...job, status: 'completed', progressPercent: 100, eta: null });
    await deliver(completed);
    await deliver(completed);
    await deliver(jobEvent({ ...job, status: 'completed', progressPercent: 100, eta: null }));
    await waitFor(
      '10 ricochet_rounds',
      async () => ((await quantityOf(player, characterId, 'ricochet_rounds')) === 10 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 50,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await quantityOf(player, characterId, 'ricochet_rounds'), 10);
    const second = jobEvent({ ...job, jobId: randomUUID(), status: 'completed', progressPercent: 100, eta: null });
    await deliver(second);
    await waitFor(
      '20 ricochet_rounds',
      async () => ((await quantityOf(player, characterId, 'ricochet_rounds')) === 20 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 50,
      },
    );
  });

  it('delivers crafted output even into a full backpack', async () => {
    const player = await h.player();
    const admin = await h.player(['admin']);
    const { characterId } = (await createCharacter(h, player, { origin: 'street_kid' })).body;
    const fill = await h.request({
      method: 'POST',
      url: `${base}/${characterId}/inventory/grants`,
      as: admin,
      body: { templateId: 'kiroshi_optics', quantity: 48, source: 'test', sourceId: characterId },
    });
    assert.equal(fill.status, 201);
    await deliver(
      jobEvent({
        jobId: randomUUID(),
        characterId,
        blueprintId: 'smart_scope_mk1',
        status: 'completed',
        progressPercent: 100,
        eta: null,
        materialsConsumed: { electronics: 2, glass: 1 },
        outputTemplateId: 'scope_smart_mk1',
        quantity: 1,
        linkedOrderId: null,
        workshopId: 'street_garage',
      }),
    );
    await waitFor(
      '1 scope_smart_mk1',
      async () => ((await quantityOf(player, characterId, 'scope_smart_mk1')) === 1 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 50,
      },
    );
  });
});
