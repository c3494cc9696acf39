import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

/** Who made a request, as its verified access token says. */
export interface AuthContext {
  /** `sub`: the account id (a service's tokens carry `service:<name>`). */
  accountId: string;
  roles: string[];
  /** `sid`: the login session the token belongs to; absent on client-credentials tokens. */
  sessionId: string | undefined;
  /** The raw bearer token, for forwarding on calls made on the caller's behalf. */
  token: string;
  /** Client that obtained the token (`client_id` or Keycloak's `azp`). */
  clientId: string | undefined;
  expiresAt: Date;
  /** `iat`, when the token has one: the deny-list refuses tokens issued before a ban of the account. */
  issuedAt?: Date | undefined;
}

/** Why a token was refused; mapped to the API's codes by the HTTP layer. */
export type TokenRejection = 'invalid' | 'expired' | 'not-access-token' | 'revoked' | 'banned';

export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
  readonly reason: TokenRejection;
  constructor(reason: TokenRejection, detail: string) {
    super(detail);
    this.reason = reason;
  }
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `roles` (ours) or Keycloak's `realm_access.roles`; both merged when a token carries both. */
export function rolesOf(payload: JWTPayload): string[] {
  const realmAccess = payload.realm_access;
  const realmRoles =
    realmAccess && typeof realmAccess === 'object' ? stringArray((realmAccess as { roles?: unknown }).roles) : [];
  return [...new Set([...stringArray(payload.roles), ...realmRoles])];
}

/**
 * Only access tokens open the API: an ID token or a refresh token signed by the same issuer must not.
 * Three conventions say "access": RFC 9068's header `typ: at+jwt` (ours), Keycloak's claim
 * `typ: Bearer`, and `token_use: access` (Cognito and others). A token that states another type
 * (`ID`, `Refresh`, `id`) or none at all is refused.
 */
export function isAccessToken(header: ProtectedHeaderParameters, payload: JWTPayload): boolean {
  const headerType = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (headerType === 'at+jwt' || headerType === 'application/at+jwt') return true;
  if (typeof payload.typ === 'string' && payload.typ.toLowerCase() === 'bearer') return true;
  return payload.token_use === 'access';
}

/** Builds the request's identity from verified claims; refuses tokens missing what the API needs. */
export function toAuthContext(token: string, header: ProtectedHeaderParameters, payload: JWTPayload): AuthContext {
  if (!isAccessToken(header, payload)) {
    throw new TokenRejectedError('not-access-token', 'The token is not an access token');
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
    throw new TokenRejectedError('invalid', 'The token names no subject');
  }
  if (typeof payload.exp !== 'number') throw new TokenRejectedError('invalid', 'The token has no expiry');
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : payload.azp;
  return {
    accountId: payload.sub,
    roles: rolesOf(payload),
    sessionId: typeof payload.sid === 'string' && payload.sid.length > 0 ? payload.sid : undefined,
    token,
    clientId: typeof clientId === 'string' ? clientId : undefined,
    expiresAt: new Date(payload.exp * 1000),
    issuedAt: typeof payload.iat === 'number' ? new Date(payload.iat * 1000) : undefined,
  };
}
