/**
 * Every operation in world's OpenAPI document, sent hostile input (`sweepHostileInputs`): nothing
 * may answer 5xx, every refusal is a problem+json body, and no level leaves 0-100.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel, type OpenApiDocument, sweepHostileInputs } from '@necp/platform/testing';
import { startWorld, type World } from '../support/harness.ts';

describe(`world under hostile input on ${adapterLabel}`, () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('answers every malformed request with a 4xx problem, never a 5xx', async () => {
    const operator = await world.operatorToken();
    const player = (await world.player()).token;
    const document = (await (await fetch(`${world.base}/openapi.json`)).json()) as OpenApiDocument;
    const impact = { sourceType: 'manual', sourceId: 'sweep', districtId: 'watson', deltaUnrest: 1 };
    const { sent, failures } = await sweepHostileInputs({
      baseUrl: world.base,
      document,
      tokens: [operator, player],
      knownId: 'watson',
      validBodies: {
        'POST /api/v1/world/impact/simulate': impact,
        'POST /api/v1/world/impact/apply': impact,
        'POST /api/v1/world/scenarios': { districtId: 'watson' },
      },
    });
    assert.ok(sent > 300, `only ${sent} requests were sent: the OpenAPI document lists fewer operations than expected`);
    assert.deepEqual(failures, []);
    const list = await world.call('GET', '/api/v1/world/districts');
    for (const district of list.body.items as { unrestLevel: number }[]) {
      assert.ok(district.unrestLevel >= 0 && district.unrestLevel <= 100);
    }
  });
});
