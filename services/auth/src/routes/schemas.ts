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
});

export const OAuthErrorSchema = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { additionalProperties: true },
);

export const TokenRequestSchema = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64 }),
    username: Type.Optional(Type.String({ maxLength: 254 })),
    password: Type.Optional(Password),
    refresh_token: Type.Optional(Type.String({ maxLength: 512 })),
    client_id: Type.Optional(Type.String({ maxLength: 128 })),
    client_secret: Type.Optional(Type.String({ maxLength: 512 })),
    scope: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

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
