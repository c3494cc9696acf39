/**
 * auth-service driven by openid-client 6, as a studio's tools would: discovery (OpenID Connect and
 * RFC 8414), the password grant for the public game client with its ID token, refresh, UserInfo,
 * RFC 7009 revocation, and the client-credentials grant of a confidential client with
 * client_secret_basic and client_secret_post. The issuer's address (AUTH_ISSUER_URL) is reached at
 * the test service's port, as a reverse proxy would route it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serviceClientSecret } from '@necp/platform';
import * as oidc from 'openid-client';
import { type AuthUnderTest, call, startAuth, uniqueUser } from '../harness.ts';

const issuer = new URL('http://127.0.0.1:8080');

let auth: AuthUnderTest;
let options: oidc.DiscoveryRequestOptions;
before(async () => {
  auth = await startAuth();
  const throughProxy: oidc.CustomFetch = (url, request) => fetch(url.replace(issuer.origin, auth.url), request);
  options = { execute: [oidc.allowInsecureRequests], [oidc.customFetch]: throughProxy };
});
after(() => auth.close());

async function newPlayer() {
  const user = uniqueUser('i');
  const created = await call<{ accountId: string }>(auth.url, 'POST', '/api/v1/auth/register', { body: user });
  assert.equal(created.status, 201);
  return { ...user, accountId: created.body.accountId };
}

/** The OAuth error a rejected call carried, as the library reports it. */
async function oauthErrorOf(work: Promise<unknown>): Promise<oidc.ResponseBodyError> {
  const error = await work.then(
    () => assert.fail('the call was expected to fail'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof oidc.ResponseBodyError, String(error));
  return error;
}

describe('openid-client against auth-service', () => {
  it('discovers the issuer through OpenID Connect Discovery and RFC 8414 alike', async () => {
    const viaOidc = await oidc.discovery(issuer, 'necp-game', undefined, oidc.None(), options);
    const viaOAuth = await oidc.discovery(issuer, 'necp-game', undefined, oidc.None(), {
      ...options,
      algorithm: 'oauth2',
    });
    assert.deepEqual(viaOAuth.serverMetadata(), viaOidc.serverMetadata());
    const metadata = viaOidc.serverMetadata();
    assert.equal(metadata.issuer, 'http://127.0.0.1:8080');
    assert.equal(metadata.authorization_endpoint, undefined);
    assert.ok(metadata.supportsPKCE() === false, 'no authorization endpoint, no PKCE to claim');
  });

  it('runs the public game client: password grant with an ID token, UserInfo, refresh, revocation', async () => {
    const player = await newPlayer();
    const game = await oidc.discovery(issuer, 'necp-game', undefined, oidc.None(), options);
    const tokens = await oidc.genericGrantRequest(game, 'password', {
      username: player.username,
      password: player.password,
      scope: 'openid profile',
    });
    const idClaims = tokens.claims() ?? assert.fail('the library validated an ID token');
    assert.equal(idClaims.sub, player.accountId);
    assert.equal(idClaims.aud, 'necp-game');
    assert.equal(idClaims.preferred_username, player.username);

    const info = await oidc.fetchUserInfo(game, tokens.access_token, idClaims.sub);
    assert.equal(info.sub, player.accountId);
    assert.equal(info.preferred_username, player.username);

    const refreshed = await oidc.refreshTokenGrant(game, tokens.refresh_token ?? assert.fail('a refresh token'));
    assert.ok(refreshed.access_token);
    const successor = refreshed.refresh_token ?? assert.fail('a rotated refresh token');
    await oidc.tokenRevocation(game, successor, { token_type_hint: 'refresh_token' });
    const afterRevocation = await oauthErrorOf(oidc.refreshTokenGrant(game, successor));
    assert.equal(afterRevocation.error, 'invalid_grant');
    assert.equal(afterRevocation.status, 400);
    const me = await call(auth.url, 'GET', '/api/v1/auth/me', { token: refreshed.access_token });
    assert.equal(me.body.code, 'TOKEN_REVOKED', "the revoked token's session is over");
  });

  it('reports refusals as OAuth errors: wrong password, lock, client without its secret', async () => {
    const player = await newPlayer();
    const game = await oidc.discovery(issuer, 'necp-game', undefined, oidc.None(), options);
    const wrong = await oauthErrorOf(
      oidc.genericGrantRequest(game, 'password', { username: player.username, password: 'Wrong-password-1' }),
    );
    assert.equal(wrong.error, 'invalid_grant');
    for (let attempt = 2; attempt <= 5; attempt += 1) {
      await oauthErrorOf(oidc.genericGrantRequest(game, 'password', { username: player.username, password: 'x' }));
    }
    const locked = await oauthErrorOf(
      oidc.genericGrantRequest(game, 'password', { username: player.username, password: player.password }),
    );
    assert.equal(locked.status, 423);
    assert.equal(locked.error, 'invalid_grant');
    assert.equal(locked.cause.code, 'ACCOUNT_LOCKED');
    assert.equal(typeof locked.cause.lockedUntil, 'string');

    const secretless = await oidc.discovery(issuer, 'economy-service', undefined, oidc.None(), options);
    const refused = await oauthErrorOf(
      oidc.genericGrantRequest(secretless, 'password', { username: player.username, password: player.password }),
    );
    assert.equal(refused.status, 401);
    assert.equal(refused.error, 'invalid_client');
  });

  it('runs a confidential service client with client_secret_basic and client_secret_post', async () => {
    const secret = serviceClientSecret(auth.runtime.config, 'economy') ?? assert.fail('economy has a secret');
    for (const method of [oidc.ClientSecretBasic(secret), oidc.ClientSecretPost(secret)]) {
      const economy = await oidc.discovery(issuer, 'economy-service', undefined, method, options);
      const granted = await oidc.clientCredentialsGrant(economy, { scope: 'service' });
      assert.equal(granted.token_type, 'bearer');
      assert.equal(granted.refresh_token, undefined);
      const info = await oidc.fetchUserInfo(economy, granted.access_token, 'economy-service');
      assert.equal(info.sub, 'economy-service');
      const notRevocable = await oauthErrorOf(oidc.tokenRevocation(economy, granted.access_token));
      assert.equal(notRevocable.error, 'unsupported_token_type');
      const password = await oauthErrorOf(
        oidc.genericGrantRequest(economy, 'password', { username: 'a', password: 'b' }),
      );
      assert.equal(password.error, 'unauthorized_client');
    }
  });
});
