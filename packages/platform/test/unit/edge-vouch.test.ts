import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEdgeVouch } from '../../src/auth/edge-vouch.ts';

const key = 'a key the gateway and the services share, 32+';

describe("the gateway's vouch for a caller it checked", () => {
  const vouch = createEdgeVouch(key);
  const now = 1_800_000_000_000;

  it('holds for the token it was signed for, within 10 s either way', () => {
    const header = vouch.sign('token-a', now);
    assert.equal(vouch.holds(header, 'token-a', now), true);
    assert.equal(vouch.holds(header, 'token-a', now + 10_000), true);
    assert.equal(vouch.holds(header, 'token-a', now - 10_000), true);
  });

  it('does not hold for another token, when old, under another key, or when malformed', () => {
    const header = vouch.sign('token-a', now);
    assert.equal(vouch.holds(header, 'token-b', now), false);
    assert.equal(vouch.holds(header, 'token-a', now + 10_001), false);
    assert.equal(createEdgeVouch(`${key}!`).holds(header, 'token-a', now), false);
    const [at, mac] = header.split('.') as [string, string];
    assert.equal(vouch.holds(`${Number(at) + 1}.${mac}`, 'token-a', now), false, 'the time is signed too');
    const malformed = [undefined, '', '.', `${at}.`, `.${mac}`, at, `x${at}.${mac}`, [header, header]];
    for (const value of malformed) assert.equal(vouch.holds(value, 'token-a', now), false, String(value));
  });
});

describe('the vouch remembered between requests', () => {
  const now = 1_800_000_000_000;

  it('signs a token once a second: the same header within it, a new one after', () => {
    const vouch = createEdgeVouch(key);
    const header = vouch.sign('token-a', now);
    assert.equal(vouch.sign('token-a', now + 999), header);
    assert.notEqual(vouch.sign('token-b', now + 999), header);
    const next = vouch.sign('token-a', now + 1_000);
    assert.notEqual(next, header);
    assert.equal(vouch.holds(next, 'token-a', now + 1_000), true);
  });

  it('a header that held once still holds only for its token and only while recent', () => {
    const vouch = createEdgeVouch(key);
    const header = vouch.sign('token-a', now);
    assert.equal(vouch.holds(header, 'token-a', now), true);
    assert.equal(vouch.holds(header, 'token-a', now + 5_000), true);
    assert.equal(vouch.holds(header, 'token-b', now + 5_000), false);
    assert.equal(vouch.holds(header, 'token-a', now + 10_001), false);
    const [at, mac] = header.split('.') as [string, string];
    assert.equal(vouch.holds(`${at}.${mac}x`, 'token-a', now), false, 'another text is checked again');
  });
});
