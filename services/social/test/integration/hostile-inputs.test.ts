/**
 * Every operation in social's OpenAPI document, sent hostile input (`sweepHostileInputs`): nothing
 * may answer 5xx, every refusal is a problem+json body, and economy's ledger still balances.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel, type OpenApiDocument, sweepHostileInputs } from '@necp/platform/testing';
import { type Market, orderBody, startMarket } from '../support/harness.ts';

describe(`social under hostile input on ${adapterLabel}`, () => {
  let market: Market;
  before(async () => {
    market = await startMarket();
  });
  after(() => market.close());

  it('answers every malformed request with a 4xx problem, never a 5xx, and loses nothing', async () => {
    const me = await market.player();
    const created = await market.social.call('POST', '/api/v1/social/orders', me.token, orderBody(me.characterId));
    const document = (await (await fetch(`${market.social.base}/openapi.json`)).json()) as OpenApiDocument;
    const { sent, failures } = await sweepHostileInputs({
      baseUrl: market.social.base,
      document,
      tokens: [await market.arbiter(), me.token],
      knownId: created.body.orderId,
      validBodies: {
        'POST /api/v1/social/orders': orderBody(me.characterId),
        'POST /api/v1/social/orders/{orderId}/applications': { characterId: me.characterId, bid: 1, coverLetter: 'c' },
        'POST /api/v1/social/orders/{orderId}/deliver': { note: 'n', proofLinks: ['l'], combatId: randomUUID() },
        'POST /api/v1/social/orders/{orderId}/dispute': { reason: 'r', evidence: ['e'] },
        'POST /api/v1/social/orders/{orderId}/resolve': { executorSharePercent: 50, note: 'n' },
        'POST /api/v1/social/orders/{orderId}/reviews': { rating: 3, comment: 'c' },
      },
    });
    assert.ok(sent > 500, `only ${sent} requests were sent: the OpenAPI document lists fewer operations than expected`);
    assert.deepEqual(failures, []);
    await market.pump();
    await market.assertAuditBalanced();
  });
});
