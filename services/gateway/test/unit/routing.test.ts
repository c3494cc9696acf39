import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyUpstreamError, upstreamPrefixes, upstreamServices } from '../../src/domain/routing.ts';

describe('gateway routing rules', () => {
  it('routes every prefix of the contract to its service', () => {
    const table = Object.fromEntries(upstreamPrefixes.map((route) => [route.prefix, route.service]));
    assert.deepEqual(table, {
      '/api/v1/auth': 'auth',
      '/.well-known': 'auth',
      '/api/v1/characters': 'character',
      '/api/v1/gameplay': 'gameplay',
      '/api/v1/social': 'social',
      '/api/v1/economy': 'economy',
      '/api/v1/world': 'world',
    });
    assert.deepEqual(upstreamServices, ['auth', 'character', 'gameplay', 'social', 'economy', 'world']);
  });

  it('classifies a slow service as 504, a refused connection as 503, anything else as 502', () => {
    assert.deepEqual(classifyUpstreamError({ code: 'FST_REPLY_FROM_GATEWAY_TIMEOUT' }), {
      status: 504,
      code: 'UPSTREAM_TIMEOUT',
    });
    assert.deepEqual(classifyUpstreamError({ message: 'x', cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } }), {
      status: 504,
      code: 'UPSTREAM_TIMEOUT',
    });
    assert.deepEqual(classifyUpstreamError({ cause: { code: 'ECONNREFUSED' } }), {
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
    });
    assert.deepEqual(classifyUpstreamError(new Error('odd')), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });
});
