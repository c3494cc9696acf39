import formbody from '@fastify/formbody';
import {
  createAuthenticator,
  createTokenVerifier,
  defineService,
  ServiceNames,
  type StoredServiceContext,
  serviceClientId,
  serviceClientSecret,
} from '@necp/platform';
import { successorKey } from './domain/refresh-reuse.ts';
import type { AuthApp } from './flows/auth-app.ts';
import { assertClientsDistinct } from './flows/clients.ts';
import { KeyRing } from './flows/key-ring.ts';
import { keyEncryptionSecret, keySealer } from './flows/key-sealing.ts';
import { createPasswordHasher } from './flows/passwords.ts';
import { seedAccounts } from './flows/seed.ts';
import { denialSweepJob } from './jobs/denial-sweep.ts';
import { keyRotationJob } from './jobs/key-rotation.ts';
import { accountRoutes } from './routes/account.ts';
import { adminRoutes } from './routes/admin.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { tokenRoutes } from './routes/token.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { AuthSettingsSchema, authSettings } from './settings.ts';
import type { AuthDatabase } from './store/tables.ts';

/** client id → secret of the confidential service clients; the public ones are in the settings. */
function serviceClients(context: StoredServiceContext): Map<string, string> {
  const clients = new Map<string, string>();
  for (const service of ServiceNames) {
    const secret = serviceClientSecret(context.config, service);
    if (secret) clients.set(serviceClientId(service), secret);
  }
  return clients;
}

/** The composition root: the key ring (rotated once), the hasher, the clients, the deny-list, the seeded staff. */
async function buildAuth(context: StoredServiceContext): Promise<AuthApp> {
  const settings = authSettings(context.config, context.settings(AuthSettingsSchema));
  const db = context.db.typed<AuthDatabase>();
  const secret = keyEncryptionSecret(settings.keyEncryptionSecret, context.config, context.logger);
  const keys = new KeyRing(db, settings, keySealer(secret), context.logger);
  await keys.rotate();
  // The process's deny-list: kept in the database, cached in the shared cache (reloaded after a restart).
  const denyList = context.authenticator.denyList;
  // auth-service verifies its own tokens against its key ring: no network hop, no dependency on the gateway.
  const verifier = createTokenVerifier({
    issuer: settings.issuer,
    audience: settings.audience,
    keys: { kind: 'local', getKey: keys.getKey },
  });
  const clients = serviceClients(context);
  assertClientsDistinct(clients.keys(), settings.publicClients);
  const auth: AuthApp = {
    db,
    settings,
    keys,
    passwords: await createPasswordHasher(settings),
    cache: context.cache,
    denyList,
    refreshSuccessorKey: successorKey(secret),
    authenticator: createAuthenticator(verifier, denyList),
    clients,
    logger: context.logger,
  };
  const embedded = !context.config.DATABASE_URL;
  await seedAccounts(auth, { embedded }, (line) => process.stdout.write(`${line}\n`));
  return auth;
}

/** auth-service: accounts, sessions, the OAuth2 token and revocation endpoints, OIDC discovery, UserInfo and JWKS. */
export const authService = defineService({
  name: 'auth',
  description: 'NECP auth-service: accounts, sessions, OAuth2 token endpoint, OIDC discovery and JWKS',
  migrations: new URL('../migrations/', import.meta.url),
  build: buildAuth,
  routes: [
    {
      prefix: '/api/v1/auth',
      async routes(app, auth) {
        // OAuth2 clients post forms (RFC 6749 §4, RFC 7009 §2.1) to the token and revocation endpoints.
        await app.register(formbody);
        tokenRoutes(app, auth);
        accountRoutes(app, auth);
        sessionRoutes(app, auth);
      },
    },
    { prefix: '/api/v1/auth/accounts', routes: adminRoutes },
    { prefix: '/.well-known', routes: wellKnownRoutes },
  ],
  jobs: [keyRotationJob, denialSweepJob],
  readiness: (auth) => ({ 'signing-keys': () => auth.keys.assertUsable() }),
  authenticator: (auth) => auth.authenticator,
});
