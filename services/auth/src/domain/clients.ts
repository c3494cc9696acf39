/** The grants of the token endpoint (RFC 6749 §4.3, §4.4, §6). */
export const GrantTypes = ['password', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GrantTypes)[number];

/** How clients authenticate at the token and revocation endpoints (RFC 8414 §2). */
export const ClientAuthMethods = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/**
 * A registered client. Public clients (the game) have no secret, so their id names them without
 * proving anything: they get the password grant and the refresh tokens it issues. Confidential
 * clients (the services) prove themselves with their secret and get the client-credentials grant.
 */
export interface OAuthClient {
  id: string;
  kind: 'public' | 'confidential';
  grants: readonly GrantType[];
}

export const PublicClientGrants: readonly GrantType[] = ['password', 'refresh_token'];
export const ConfidentialClientGrants: readonly GrantType[] = ['client_credentials'];

/** Who sent a token or revocation request: a client it named (and, if confidential, authenticated), or none. */
export type Requester = { kind: 'anonymous' } | { kind: 'client'; client: OAuthClient };

export function isGrantType(value: string): value is GrantType {
  return (GrantTypes as readonly string[]).includes(value);
}

/**
 * Whether `requester` may refresh or revoke a token issued to `issuedTo` (undefined: a client no
 * longer registered). A named client only its own (RFC 6749 §6, RFC 7009 §2.1); a request naming
 * no client only a public client's, as a public client may leave its id out (RFC 6749 §3.2.1).
 */
export function mayUseTokenOf(requester: Requester, issuedTo: OAuthClient | undefined): boolean {
  if (!issuedTo) return false;
  if (requester.kind === 'client') return requester.client.id === issuedTo.id;
  return issuedTo.kind === 'public';
}

/** The client id and secret of a request, however it sent them. */
export interface ClientCredentials {
  id: string | undefined;
  secret: string | undefined;
}

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * RFC 6749 §2.3.1: `Authorization: Basic` over the form-urlencoded id and secret. Undefined when the
 * header is no Basic credential at all (absent, or a bearer token); `malformed` when it is one that
 * cannot be read.
 */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | 'malformed' | undefined {
  const match = /^Basic(?:\s+(.*))?$/i.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const encoded = match[1]?.trim() ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return 'malformed';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return 'malformed';
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!id || secret === undefined) return 'malformed';
  return { id, secret };
}

/**
 * One authentication method per request (RFC 6749 §2.3): Basic, or the id and secret in the body,
 * or the id alone. Undefined when the request mixes them (a body id that repeats the Basic one is fine).
 */
export function requestCredentials(
  basic: { id: string; secret: string } | undefined,
  body: { clientId: string | undefined; clientSecret: string | undefined },
): ClientCredentials | undefined {
  if (!basic) return { id: body.clientId, secret: body.clientSecret };
  if (body.clientSecret !== undefined) return undefined;
  if (body.clientId !== undefined && body.clientId !== basic.id) return undefined;
  return { id: basic.id, secret: basic.secret };
}
