import { Uuid } from '@necp/platform';
import { Type } from 'typebox';
import { AccountRoles, PasswordLimits, UsernamePattern } from '../domain/accounts.ts';

export const Password = Type.String({ minLength: 1, maxLength: PasswordLimits.max });
export const NewPassword = Type.String({ minLength: PasswordLimits.min, maxLength: PasswordLimits.max });

export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.Optional(Type.String()),
  refresh_expires_in: Type.Optional(Type.Integer()),
  scope: Type.String(),
  id_token: Type.Optional(Type.String()),
});

/** RFC 6749 §5.2, with the problem members (`status`, `code`, `lockedUntil`, ...) beside `error`. */
export const OAuthErrorSchema = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { additionalProperties: true },
);

/** The OAuth answers a route can give, for the OpenAPI document. */
export function oauthErrors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, OAuthErrorSchema]));
}

/** A form or JSON parameter: text without U+0000 (which no form parser refuses and PostgreSQL cannot store). */
const Parameter = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$' });

/** Other parameters are ignored, as RFC 6749 §3.2 says, so they are allowed here. */
export const TokenRequestSchema = Type.Object(
  {
    grant_type: Parameter(256),
    username: Type.Optional(Parameter(254)),
    password: Type.Optional(Parameter(PasswordLimits.max, 1)),
    refresh_token: Type.Optional(Parameter(512)),
    client_id: Type.Optional(Parameter(128)),
    client_secret: Type.Optional(Parameter(512)),
    scope: Type.Optional(Parameter(512)),
  },
  { additionalProperties: true },
);

/** RFC 7009 §2.1, with the client's `client_id` (and `client_secret` for client_secret_post). */
export const RevocationRequestSchema = Type.Object(
  {
    token: Parameter(4096, 1),
    token_type_hint: Type.Optional(Parameter(64)),
    client_id: Type.Optional(Parameter(128)),
    client_secret: Type.Optional(Parameter(512)),
  },
  { additionalProperties: true },
);

/** OpenID Connect UserInfo (Core §5.3.2). */
export const UserInfoSchema = Type.Object({
  sub: Type.String(),
  preferred_username: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
});

export const LoginRequestSchema = Type.Object(
  { login: Type.String({ minLength: 1, maxLength: 254 }), password: Password },
  { additionalProperties: false },
);

export const RegisterRequestSchema = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    username: Type.String({ pattern: UsernamePattern }),
    password: NewPassword,
  },
  { additionalProperties: false },
);

export const AccountSchema = Type.Object({
  accountId: Uuid,
  email: Type.String(),
  username: Type.String(),
});

export const MeSchema = Type.Object({
  accountId: Uuid,
  email: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('banned'), Type.Literal('locked')]),
});

export const RoleSchema = Type.Union(AccountRoles.map((role) => Type.Literal(role)));

export const SessionSchema = Type.Object({
  sessionId: Uuid,
  clientId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});

export const AccountIdParams = Type.Object({ accountId: Uuid });
export const AuthTag = 'auth';
