/**
 * Every operation in economy's OpenAPI document, sent hostile input (`sweepHostileInputs`): nothing
 * may answer 5xx, every refusal is a problem+json body, and the ledger still balances.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel, type OpenApiDocument, sweepHostileInputs } from '@necp/platform/testing';
import { type Economy, startEconomy } from '../support/harness.ts';

describe(`economy under hostile input on ${adapterLabel}`, () => {
  let economy: Economy;
  before(async () => {
    economy = await startEconomy();
  });
  after(() => economy.close());

  it('answers every malformed request with a 4xx problem, never a 5xx, and loses nothing', async () => {
    const admin = await economy.adminToken();
    const me = await economy.player();
    const document = (await (await fetch(`${economy.base}/openapi.json`)).json()) as OpenApiDocument;
    const { sent, failures } = await sweepHostileInputs({
      baseUrl: economy.base,
      document,
      tokens: [admin, me.token],
      knownId: me.characterId,
      validBodies: {
        'POST /api/v1/economy/transfers': {
          fromCharacterId: me.characterId,
          toCharacterId: randomUUID(),
          asset: 'EDD',
          amount: 1,
          memo: 'm',
        },
        'POST /api/v1/economy/grants': { characterId: me.characterId, asset: 'EDD', amount: 1, reason: 'r' },
        'POST /api/v1/economy/escrows': {
          orderId: randomUUID(),
          payerCharacterId: me.characterId,
          amount: 10,
          commission: 1,
        },
        'POST /api/v1/economy/crafting/jobs': {
          characterId: me.characterId,
          blueprintId: 'ricochet_rounds',
          workshopId: 'corpo_lab',
          quantity: 1,
        },
      },
    });
    assert.ok(
      sent > 1_000,
      `only ${sent} requests were sent: the OpenAPI document lists fewer operations than expected`,
    );
    assert.deepEqual(failures, []);
    await economy.assertAuditBalanced();
  });
});
