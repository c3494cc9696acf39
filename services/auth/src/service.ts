import {
  type BackgroundJob,
  createAuthenticator,
  createTokenVerifier,
  denyListFor,
  type ServiceContext,
  type ServiceDefinition,
  ServiceNames,
  serviceClientId,
  serviceClientSecret,
} from '@necp/platform';
import type { AuthApp } from './flows/auth-app.ts';
import { seedAccounts } from './flows/seed.ts';
import { keyEncryptionSecret, keySealer } from './keys/key-encryption.ts';
import { KeyRing } from './keys/key-ring.ts';
import { createPasswordHasher } from './passwords.ts';
import { accountRoutes } from './routes/account.ts';
import { adminRoutes } from './routes/admin.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { tokenRoutes } from './routes/token.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { authSettings } from './settings.ts';
import type { AuthDatabase } from './store/tables.ts';

/** One AuthApp per service context: routes and the rotation job share the key ring. */
const apps = new WeakMap<ServiceContext, Promise<AuthApp>>();

async function buildApp(context: ServiceContext): Promise<AuthApp> {
  if (!context.db) throw new Error('auth-service needs its database');
  const settings = authSettings(context.config);
  const db = context.db.typed<AuthDatabase>();
  const keys = new KeyRing(
    db,
    settings,
    keySealer(keyEncryptionSecret(context.config, context.logger)),
    context.logger,
  );
  await keys.rotate();
  const clients = new Map<string, string>();
  for (const service of ServiceNames) {
    const secret = serviceClientSecret(context.config, service);
    if (secret) clients.set(serviceClientId(service), secret);
  }
  const denyList = denyListFor(context);
  // auth-service verifies its own tokens against its key ring: no network hop, no dependency on the gateway.
  const verifier = createTokenVerifier({
    issuer: settings.issuer,
    audience: settings.audience,
    keys: { kind: 'local', getKey: keys.getKey },
  });
  const app: AuthApp = {
    db,
    settings,
    keys,
    passwords: await createPasswordHasher(settings),
    cache: context.cache,
    denyList,
    authenticator: createAuthenticator(verifier, denyList),
    clients,
    logger: context.logger,
  };
  await seedAccounts(app, context.config, (line) => process.stdout.write(`${line}\n`));
  return app;
}

export function authApp(context: ServiceContext): Promise<AuthApp> {
  let app = apps.get(context);
  if (!app) {
    app = buildApp(context);
    apps.set(context, app);
  }
  return app;
}

/** Rotates signing keys on schedule and picks up keys other replicas made. */
const keyRotationJob: BackgroundJob = async (context) => {
  const app = await authApp(context);
  const intervalMs = Math.min(60_000, (app.settings.keyPrepublishSeconds * 1000) / 2);
  const timer = setInterval(() => {
    app.keys.rotate().catch((error: unknown) => context.logger.error({ err: error }, 'key rotation failed'));
  }, intervalMs);
  timer.unref();
  return async () => clearInterval(timer);
};

/** auth-service: accounts, sessions, the OAuth2 token endpoint, OIDC discovery and JWKS. */
export const authService: ServiceDefinition = {
  name: 'auth',
  description: 'NECP auth-service: accounts, sessions, OAuth2 token endpoint, OIDC discovery and JWKS',
  migrations: new URL('../migrations/', import.meta.url),
  async routes(app, context) {
    const auth = await authApp(context);
    if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
    await tokenRoutes(app, auth);
    accountRoutes(app, auth);
    sessionRoutes(app, auth);
    adminRoutes(app, auth);
    wellKnownRoutes(app, auth);
  },
  readiness: (context) => ({ 'signing-keys': async () => (await authApp(context)).keys.assertUsable() }),
  jobs: [keyRotationJob],
};
