import { randomBytes } from 'node:crypto';
import type { AccountRole } from '../domain/accounts.ts';
import { findAccountByLogin } from '../store/accounts.ts';
import { register } from './accounts.ts';
import type { AuthApp } from './auth-app.ts';

interface SeedAccount {
  username: string;
  role: AccountRole;
  password: string | undefined;
}

/** Mixed classes guaranteed by base64url of random bytes plus a fixed suffix of other classes. */
function generatedPassword(): string {
  return `${randomBytes(18).toString('base64url')}-9a`;
}

/**
 * DOMAIN.md: `admin` and `arbiter` exist from the first start. Their passwords come from
 * SEED_ADMIN_PASSWORD / SEED_ARBITER_PASSWORD; embedded mode generates strong ones and prints them
 * once (only when it creates the account), distributed mode seeds nothing without the variables.
 */
export async function seedAccounts(app: AuthApp, mode: { embedded: boolean }, print: (line: string) => void) {
  const { embedded } = mode;
  const seeds: SeedAccount[] = [
    { username: 'admin', role: 'admin', password: app.settings.seedPasswords.admin },
    { username: 'arbiter', role: 'arbiter', password: app.settings.seedPasswords.arbiter },
  ];
  for (const seed of seeds) {
    if (await findAccountByLogin(app.db, seed.username)) continue;
    if (!seed.password && !embedded) {
      app.logger.info(`${seed.username} not seeded: SEED_${seed.username.toUpperCase()}_PASSWORD is not set`);
      continue;
    }
    const password = seed.password ?? generatedPassword();
    await register(app, {
      email: `${seed.username}@necp.local`,
      username: seed.username,
      password,
      roles: [seed.role],
    });
    if (seed.password) app.logger.info(`seeded account ${seed.username} (role ${seed.role})`);
    else
      print(
        `[auth] seeded account ${seed.username} (role ${seed.role}) with generated password: ${password}  (shown once)`,
      );
  }
}
