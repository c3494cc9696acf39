import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, buildProblem, codeForStatus } from '../../src/problem.ts';
import { requestHash } from '../../src/sql/idempotency.ts';

describe('problem details', () => {
  it('carries type, title, status, detail, code and traceId, plus extensions', () => {
    const problem = buildProblem('ACCOUNT_LOCKED', 'Too many failures', 'a'.repeat(32), {
      extensions: { lockedUntil: '2026-01-01T00:00:00Z' },
    });
    assert.deepEqual(problem, {
      type: 'urn:necp:problem:account-locked',
      title: 'Account locked',
      status: 423,
      detail: 'Too many failures',
      code: 'ACCOUNT_LOCKED',
      traceId: 'a'.repeat(32),
      lockedUntil: '2026-01-01T00:00:00Z',
    });
  });

  it('takes the status of its code', () => {
    assert.equal(new AppError('INSUFFICIENT_FUNDS', 'no').status, 422);
    assert.equal(new AppError('WORKSHOP_LOCKED', 'no').status, 423);
  });

  it('takes another status its code allows when told (UPSTREAM_UNAVAILABLE: 502 or 503)', () => {
    assert.equal(new AppError('UPSTREAM_UNAVAILABLE', 'bad answer').status, 502);
    assert.equal(new AppError('UPSTREAM_UNAVAILABLE', 'down', { status: 503 }).status, 503);
  });

  it('maps framework statuses to generic codes', () => {
    assert.equal(codeForStatus(413), 'PAYLOAD_TOO_LARGE');
    assert.equal(codeForStatus(415), 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(codeForStatus(418), 'VALIDATION_ERROR');
    assert.equal(codeForStatus(500), 'INTERNAL_ERROR');
  });
});

describe('idempotency request hash', () => {
  it('ignores key order and undefined members but not values', () => {
    assert.equal(
      requestHash({ a: 1, b: { c: 2, d: [1, 2] } }),
      requestHash({ b: { d: [1, 2], c: 2 }, a: 1, e: undefined }),
    );
    assert.notEqual(requestHash({ a: 1 }), requestHash({ a: 2 }));
    assert.notEqual(requestHash({ d: [1, 2] }), requestHash({ d: [2, 1] }));
  });
});
