/**
 * Every operation in gameplay's OpenAPI document, sent hostile input (`sweepHostileInputs`): nothing
 * may answer 5xx, and every refusal is a problem+json body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel, type OpenApiDocument, sweepHostileInputs } from '@necp/platform/testing';
import { type Gameplay, shot, startGameplay } from '../support/harness.ts';

describe(`gameplay under hostile input on ${adapterLabel}`, () => {
  let gameplay: Gameplay;
  before(async () => {
    gameplay = await startGameplay();
  });
  after(() => gameplay.close());

  it('answers every malformed request with a 4xx problem, never a 5xx', async () => {
    const me = await gameplay.fighter({
      weapons: ['smart_pistol_kenshin'],
      implants: ['smart_wrist_tendons'],
      mods: ['neuro_gyro_coupler'],
      skills: { precision: 40 },
    });
    const document = (await (await fetch(`${gameplay.base}/openapi.json`)).json()) as OpenApiDocument;
    const { sent, failures } = await sweepHostileInputs({
      baseUrl: gameplay.base,
      document,
      tokens: [await gameplay.adminToken(), me.token],
      knownId: me.characterId,
      validBodies: {
        'POST /api/v1/gameplay/combat/ballistics/simulate': shot(me),
        'PATCH /api/v1/gameplay/combat/weapon-mods/{weaponId}': {
          strategy: 'merge',
          slots: [{ slot: 'chip', modId: 'neuro_gyro_coupler' }],
        },
        'POST /api/v1/gameplay/combat/abilities/curved-shot/activate': {
          characterId: me.characterId,
          weaponId: me.weapons[0],
          bendAngle: 10,
        },
      },
    });
    assert.ok(sent > 300, `only ${sent} requests were sent: the OpenAPI document lists fewer operations than expected`);
    assert.deepEqual(failures, []);
  });
});
