/**
 * auth-service as an OAuth 2.0 issuer toward its clients (RFC 6749 §2.3, §3.2, §5.2, §6; RFC 7009;
 * RFC 8414; OpenID Connect UserInfo): who may use which grant, which client a token names, revocation
 * without a bearer token, and the shape of every refusal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serviceClientSecret } from '@necp/platform';
import { decodeJwt } from 'jose';
import { type AuthUnderTest, call, startAuth, uniqueUser } from '../harness.ts';

type Tokens = { access_token: string; refresh_token: string; id_token?: string; scope: string };

let auth: AuthUnderTest;
let economySecret: string;
before(async () => {
  // A second public client (a launcher, say) to show that tokens stay with the client they were issued to.
  auth = await startAuth({ AUTH_PUBLIC_CLIENTS: 'necp-game,necp-launcher' });
  economySecret = serviceClientSecret(auth.runtime.config, 'economy') ?? assert.fail('economy has a secret');
});
after(() => auth.close());

const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  call<Record<string, unknown>>(auth.url, 'POST', '/api/v1/auth/token', { form, headers });
const revoke = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  call<Record<string, unknown>>(auth.url, 'POST', '/api/v1/auth/revoke', { form, headers });
const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

async function player(clientId?: string) {
  const user = uniqueUser('o');
  const created = await call<{ accountId: string }>(auth.url, 'POST', '/api/v1/auth/register', { body: user });
  assert.equal(created.status, 201);
  const granted = await token({
    grant_type: 'password',
    username: user.username,
    password: user.password,
    ...(clientId ? { client_id: clientId } : {}),
  });
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  return { ...user, accountId: created.body.accountId, tokens: granted.body as unknown as Tokens };
}

/** RFC 6749 §5.2: JSON with `error` and `error_description`, and the problem members beside them. */
function assertOAuthError(reply: Awaited<ReturnType<typeof token>>, status: number, error: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.error, error, JSON.stringify(reply.body));
  assert.equal(typeof reply.body.error_description, 'string');
  assert.equal(reply.body.status, status);
  assert.equal(typeof reply.body.code, 'string');
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(reply.headers.get('cache-control'), 'no-store');
}

describe('client authentication at the token endpoint', () => {
  it('makes a confidential client authenticate on every grant that names it', async () => {
    const user = uniqueUser('c');
    await call(auth.url, 'POST', '/api/v1/auth/register', { body: user });
    const asService = { grant_type: 'password', username: user.username, password: user.password };
    assertOAuthError(await token({ ...asService, client_id: 'economy-service' }), 401, 'invalid_client');
    const authenticated = await token({ ...asService, client_id: 'economy-service', client_secret: economySecret });
    assertOAuthError(authenticated, 400, 'unauthorized_client');
    assertOAuthError(await token(asService, basic('economy-service', economySecret)), 400, 'unauthorized_client');
    const secretless = await token({ grant_type: 'client_credentials', client_id: 'economy-service' });
    assertOAuthError(secretless, 401, 'invalid_client');
    assert.equal(secretless.headers.get('www-authenticate'), null, 'no Basic tried, no challenge');
    const wrongBasic = await token({ grant_type: 'client_credentials' }, basic('economy-service', 'guess'));
    assertOAuthError(wrongBasic, 401, 'invalid_client');
    assert.match(wrongBasic.headers.get('www-authenticate') ?? '', /^Basic /);
    const malformed = await token({ grant_type: 'client_credentials' }, { authorization: 'Basic %%%' });
    assertOAuthError(malformed, 401, 'invalid_client');
    const twoMethods = await token(
      { grant_type: 'client_credentials', client_secret: economySecret },
      basic('economy-service', economySecret),
    );
    assertOAuthError(twoMethods, 400, 'invalid_request');
    assertOAuthError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
    const publicClient = await token({ grant_type: 'client_credentials', client_id: 'necp-game' });
    assertOAuthError(publicClient, 400, 'unauthorized_client');
    const unknown = await token({ ...asService, client_id: 'nobody' });
    assertOAuthError(unknown, 401, 'invalid_client');
    assert.deepEqual(
      { ...unknown.body, traceId: '' },
      { ...secretless.body, traceId: '' },
      'an unknown client and a secretless confidential one get one answer',
    );
  });

  it('gives services their token with client_secret_basic and client_secret_post alike', async () => {
    for (const [form, headers] of [
      [{ grant_type: 'client_credentials' }, basic('economy-service', economySecret)],
      [{ grant_type: 'client_credentials', client_id: 'economy-service', client_secret: economySecret }, {}],
    ] as const) {
      const granted = await token(form, headers);
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      const claims = decodeJwt(String(granted.body.access_token));
      assert.equal(claims.client_id, 'economy-service');
      assert.deepEqual(claims.roles, ['service']);
      assert.equal(granted.body.refresh_token, undefined);
    }
  });

  it('opens the password grant to the public game client, named or assumed, and names it in the tokens', async () => {
    for (const clientId of [undefined, 'necp-game', 'necp-launcher']) {
      const { tokens } = await player(clientId);
      assert.equal(decodeJwt(tokens.access_token).client_id, clientId ?? 'necp-game');
      assert.equal(tokens.scope, 'openid profile');
      const idToken = decodeJwt(tokens.id_token ?? assert.fail('an ID token'));
      assert.equal(idToken.aud, clientId ?? 'necp-game');
      assert.equal(idToken.iss, 'http://127.0.0.1:8080');
    }
    const { tokens } = await player();
    const sessions = await call<{ items: Array<{ clientId: string }> }>(auth.url, 'GET', '/api/v1/auth/sessions', {
      token: tokens.access_token,
    });
    assert.deepEqual(
      sessions.body.items.map((session) => session.clientId),
      ['necp-game'],
    );
  });

  it('ignores parameters it does not know and names an unsupported grant as such', async () => {
    const user = uniqueUser('u');
    await call(auth.url, 'POST', '/api/v1/auth/register', { body: user });
    const extra = await token({
      grant_type: 'password',
      username: user.username,
      password: user.password,
      audience: 'necp-api',
      resource: 'https://example.test/',
      nonce: 'abc',
    });
    assert.equal(extra.status, 200, JSON.stringify(extra.body));
    const json = await call(auth.url, 'POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: user.username, password: user.password, whatever: { nested: 1 } },
    });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    const code = await token({
      grant_type: 'authorization_code',
      code: 'abc',
      redirect_uri: 'https://example.test/cb',
    });
    assertOAuthError(code, 400, 'unsupported_grant_type');
    const deviceCode = await token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x' });
    assertOAuthError(deviceCode, 400, 'unsupported_grant_type');
    assertOAuthError(await token({ username: user.username }), 400, 'invalid_request');
    assertOAuthError(
      await token({ grant_type: 'password', username: '\u0000', password: 'x' }),
      400,
      'invalid_request',
    );
    const plain = await fetch(`${auth.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<grant_type>password</grant_type>',
    });
    const plainBody = (await plain.json()) as { error?: string };
    assert.equal(plain.status, 415);
    assert.equal(plainBody.error, 'invalid_request');
  });
});

describe('refresh tokens stay with their client', () => {
  it('refreshes for the client the token was issued to, or a request naming none, and no other', async () => {
    const { tokens } = await player('necp-game');
    const launcher = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: 'necp-launcher',
    });
    assertOAuthError(launcher, 400, 'invalid_grant');
    const service = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: 'economy-service',
      client_secret: economySecret,
    });
    assertOAuthError(service, 400, 'unauthorized_client');
    const named = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: 'necp-game',
    });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    assert.equal(decodeJwt(String(named.body.access_token)).client_id, 'necp-game');
    const unnamed = await token({ grant_type: 'refresh_token', refresh_token: String(named.body.refresh_token) });
    assert.equal(unnamed.status, 200, JSON.stringify(unnamed.body));
  });
});

describe('RFC 7009 revocation', () => {
  it('lets a public client revoke with its client_id in the body and no bearer token', async () => {
    const { tokens } = await player();
    const revoked = await revoke({
      token: tokens.refresh_token,
      token_type_hint: 'refresh_token',
      client_id: 'necp-game',
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.headers.get('cache-control'), 'no-store');
    const me = await call(auth.url, 'GET', '/api/v1/auth/me', { token: tokens.access_token });
    assert.equal(me.body.code, 'TOKEN_REVOKED', 'the session and its access token are ended');
    assertOAuthError(
      await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      400,
      'invalid_grant',
    );
    const again = await revoke({ token: tokens.refresh_token, client_id: 'necp-game' });
    assert.equal(again.status, 200, 'revoking a revoked token is no error');
  });

  it('revokes an access token too, for a request naming no client, and answers unknown tokens alike', async () => {
    const { tokens } = await player();
    const revoked = await revoke({ token: tokens.access_token, token_type_hint: 'access_token' });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assertOAuthError(
      await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      400,
      'invalid_grant',
    );
    for (const unknown of ['not-a-token', 'a.b.c', tokens.id_token ?? '']) {
      const answer = await revoke({ token: unknown, client_id: 'necp-game', token_type_hint: 'something_else' });
      assert.equal(answer.status, 200, `${unknown}: ${JSON.stringify(answer.body)}`);
    }
  });

  it('keeps a token to the client it was issued to, and authenticates confidential clients', async () => {
    const { tokens } = await player('necp-game');
    assertOAuthError(
      await revoke({ token: tokens.refresh_token, client_id: 'necp-launcher' }),
      400,
      'unauthorized_client',
    );
    assertOAuthError(
      await revoke({ token: tokens.refresh_token }, basic('economy-service', economySecret)),
      400,
      'unauthorized_client',
    );
    assertOAuthError(
      await revoke({ token: tokens.refresh_token, client_id: 'economy-service' }),
      401,
      'invalid_client',
    );
    const service = await token({ grant_type: 'client_credentials' }, basic('economy-service', economySecret));
    const serviceToken = String(service.body.access_token);
    assertOAuthError(
      await revoke({ token: serviceToken }, basic('economy-service', economySecret)),
      400,
      'unsupported_token_type',
    );
    assertOAuthError(
      await revoke({ token: serviceToken, client_id: 'economy-service', client_secret: economySecret }),
      400,
      'unsupported_token_type',
    );
    assertOAuthError(await revoke({ token: serviceToken }), 400, 'unauthorized_client');
    const wrong = await revoke({ token: serviceToken }, basic('economy-service', 'guess'));
    assertOAuthError(wrong, 401, 'invalid_client');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic /);
    assertOAuthError(await revoke({ client_id: 'necp-game' }), 400, 'invalid_request');
    const stillLive = await call(auth.url, 'GET', '/api/v1/auth/me', { token: tokens.access_token });
    assert.equal(stillLive.status, 200, 'no refused revocation ended the session');
  });
});

describe('UserInfo and metadata', () => {
  it('answers UserInfo with the subject, for a player and for a service', async () => {
    const user = await player();
    for (const method of ['GET', 'POST']) {
      const info = await call(auth.url, method, '/api/v1/auth/userinfo', { token: user.tokens.access_token });
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.deepEqual(info.body, { sub: user.accountId, preferred_username: user.username, roles: ['player'] });
    }
    const service = await token({ grant_type: 'client_credentials' }, basic('economy-service', economySecret));
    const info = await call(auth.url, 'GET', '/api/v1/auth/userinfo', { token: String(service.body.access_token) });
    assert.deepEqual(info.body, { sub: 'economy-service', roles: ['service'] });
    const anonymous = await call(auth.url, 'GET', '/api/v1/auth/userinfo');
    assert.equal(anonymous.status, 401);
    const idToken = await call(auth.url, 'GET', '/api/v1/auth/userinfo', { token: user.tokens.id_token });
    assert.equal(idToken.status, 401, 'an ID token is no access token');
  });

  it('publishes one metadata document at both well-known addresses, naming only what is served', async () => {
    const oidc = await call(auth.url, 'GET', '/.well-known/openid-configuration');
    const rfc8414 = await call(auth.url, 'GET', '/.well-known/oauth-authorization-server');
    assert.equal(oidc.status, 200);
    assert.deepEqual(rfc8414.body, oidc.body);
    const metadata = oidc.body as Record<string, unknown>;
    for (const absent of ['authorization_endpoint', 'response_types_supported', 'response_modes_supported']) {
      assert.equal(metadata[absent], undefined, `${absent} needs an authorization endpoint, which is not served`);
    }
    assert.deepEqual(metadata.grant_types_supported, ['password', 'refresh_token', 'client_credentials']);
    assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(metadata.revocation_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
    // Every endpoint it names is served here (the issuer is this service's public address).
    const served = (url: unknown) => String(url).replace('http://127.0.0.1:8080', '');
    assert.equal((await call(auth.url, 'GET', served(metadata.jwks_uri))).status, 200);
    assert.equal((await call(auth.url, 'GET', served(metadata.userinfo_endpoint))).status, 401);
    assertOAuthError(
      await call(auth.url, 'POST', served(metadata.token_endpoint), { form: {} }),
      400,
      'invalid_request',
    );
    assertOAuthError(
      await call(auth.url, 'POST', served(metadata.revocation_endpoint), { form: {} }),
      400,
      'invalid_request',
    );
  });
});
