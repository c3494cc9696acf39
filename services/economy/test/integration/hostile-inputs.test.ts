/**
 * Every operation in economy's OpenAPI document, sent hostile input: each body field replaced by
 * values of the wrong type, size or text, bodies that are not JSON objects, path parameters that are
 * not ids, bad query strings and Idempotency-Keys. Nothing may answer 5xx, every refusal is a
 * problem+json body, and the ledger still balances.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { type Economy, startEconomy } from '../support/harness.ts';

const hostileValues: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 63),
  1e308,
  '',
  'x'.repeat(5_000),
  '\u0000',
  '\ud800',
  '💥',
  [],
  {},
  { a: 1 },
  'ABCDEF00-0000-4000-8000-000000000000',
  '00000000-0000-0000-0000-000000000000',
  "' OR 1=1 --",
];
const hostileBodies = ['', '{', 'null', '[]', '"x"', '{"__proto__":{"a":1}}', '{"constructor":{"prototype":{}}}'];
const hostileQueries = [
  '?limit=0',
  '?limit=-1',
  '?limit=abc',
  '?limit=1e9',
  '?cursor=%%%',
  `?cursor=${'A'.repeat(500)}`,
];

interface Operation {
  requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } };
  parameters?: { in: string; name: string }[];
}

describe(`economy under hostile input on ${adapterLabel}`, () => {
  let economy: Economy;
  before(async () => {
    economy = await startEconomy();
  });
  after(() => economy.close());

  it('answers every malformed request with a 4xx problem, never a 5xx, and loses nothing', async () => {
    const admin = await economy.adminToken();
    const me = await economy.player();
    const hostilePathValues = ['x', 'x'.repeat(300), '%E0%A4%A', me.characterId.toUpperCase(), randomUUID()];
    // A valid body per operation that has one, so each hostile field is the only thing wrong.
    const validBodies: Record<string, Record<string, unknown>> = {
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
    };
    const failures: string[] = [];
    let sent = 0;
    const send = async (
      method: string,
      path: string,
      token: string,
      body: string | undefined,
      idempotencyKey: string = randomUUID(),
    ) => {
      sent++;
      const response = await fetch(`${economy.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: method === 'GET' ? undefined : body,
      });
      const text = await response.text();
      const problem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
      if (
        response.status >= 500 ||
        (response.status >= 400 && !(problem && JSON.parse(text).status === response.status))
      ) {
        failures.push(
          `${response.status} ${method} ${path.slice(0, 80)} ${String(body).slice(0, 80)}: ${text.slice(0, 200)}`,
        );
      }
    };

    const document = (await (await fetch(`${economy.base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [lowerMethod, operation] of Object.entries(operations)) {
        const method = lowerMethod.toUpperCase();
        const hasPathParameters = (operation.parameters ?? []).some((parameter) => parameter.in === 'path');
        const withPath = (value: string) => template.replace(/\{\w+\}/g, value);
        const valid = validBodies[`${method} ${template.replace(/\{(\w+)\}/g, ':$1')}`] ?? {};
        const fields = Object.keys(operation.requestBody?.content['application/json'].schema.properties ?? {});
        const path = withPath(me.characterId);
        for (const token of [admin, me.token]) {
          for (const field of fields) {
            for (const value of hostileValues)
              await send(method, path, token, JSON.stringify({ ...valid, [field]: value }));
          }
          for (const body of hostileBodies) await send(method, path, token, body);
          await send(method, path, token, JSON.stringify(valid), 'k'.repeat(300));
          if (hasPathParameters) {
            for (const value of hostilePathValues) await send(method, withPath(value), token, JSON.stringify(valid));
          }
          if (method === 'GET')
            for (const query of hostileQueries) await send(method, `${path}${query}`, token, undefined);
        }
      }
    }
    assert.ok(
      sent > 1_000,
      `only ${sent} requests were sent: the OpenAPI document lists fewer operations than expected`,
    );
    assert.deepEqual(failures, []);
    await economy.assertAuditBalanced();
  });
});
