import {
  basicCredentials,
  ConfidentialClientGrants,
  type GrantType,
  type OAuthClient,
  PublicClientGrants,
  type Requester,
  requestCredentials,
} from '../domain/clients.ts';
import { sameSecret } from '../domain/secrets.ts';
import type { AuthApp } from './auth-app.ts';
import { OAuthError } from './errors.ts';

/**
 * The registered clients: the services' confidential clients (`<service>-service`, with the
 * secrets of the configuration) and the public ones of AUTH_PUBLIC_CLIENTS.
 */
export function registeredClient(app: AuthApp, id: string): OAuthClient | undefined {
  if (app.clients.has(id)) return { id, kind: 'confidential', grants: ConfidentialClientGrants };
  if (app.settings.publicClients.includes(id)) return { id, kind: 'public', grants: PublicClientGrants };
  return undefined;
}

/** The public client a password login naming none is taken for (the game). */
export function defaultClient(app: AuthApp): OAuthClient {
  return { id: app.settings.publicClients[0], kind: 'public', grants: PublicClientGrants };
}

/** Refuses to start when AUTH_PUBLIC_CLIENTS names a service's client: one id cannot be two kinds of client. */
export function assertClientsDistinct(confidential: Iterable<string>, publicClients: readonly string[]): void {
  const clash = [...confidential].find((id) => publicClients.includes(id));
  if (clash) throw new Error(`AUTH_PUBLIC_CLIENTS names ${clash}, a confidential service client`);
}

const refused = () => new OAuthError('invalid_client', 'Client authentication failed');

/** What a request carries to name its client: the Authorization header, `client_id` and `client_secret`. */
export interface ClientAuthentication {
  authorization: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/**
 * RFC 6749 §2.3, §3.2.1: who sent the request. A confidential client must prove itself with its
 * secret on every request naming it; a public client is named by its id (it has no secret to send);
 * a request naming no client is anonymous. Unknown ids and wrong secrets get one answer.
 */
export function identifyClient(app: AuthApp, request: ClientAuthentication): Requester {
  const basic = basicCredentials(request.authorization);
  if (basic === 'malformed') throw refused();
  const credentials = requestCredentials(basic, request);
  if (!credentials) throw new OAuthError('invalid_request', 'Use one client authentication method per request');
  if (credentials.id === undefined) {
    if (credentials.secret !== undefined) throw refused();
    return { kind: 'anonymous' };
  }
  const client = registeredClient(app, credentials.id);
  if (credentials.secret !== undefined) {
    const expected = client?.kind === 'confidential' ? app.clients.get(client.id) : undefined;
    // Compared even for unknown clients, so timing does not tell which client ids exist.
    const valid = sameSecret(expected ?? '', credentials.secret) && expected !== undefined;
    if (!valid || !client) throw refused();
    return { kind: 'client', client };
  }
  if (!client || client.kind === 'confidential') throw refused();
  return { kind: 'client', client };
}

/** The client a grant is made to: the requester, if registered for the grant (RFC 6749 §5.2 `unauthorized_client`). */
export function clientForGrant(app: AuthApp, requester: Requester, grant: GrantType): OAuthClient {
  if (requester.kind === 'anonymous') {
    if (grant === 'client_credentials') {
      throw new OAuthError('invalid_client', 'Client authentication is required for client_credentials');
    }
    return defaultClient(app);
  }
  if (!requester.client.grants.includes(grant)) {
    throw new OAuthError('unauthorized_client', `Client ${requester.client.id} may not use the ${grant} grant`);
  }
  return requester.client;
}
