/**
 * Applies the platform's and every service's migrations to DATABASE_URL, then exits: the deployment's
 * migration step (the Helm chart's pre-install/pre-upgrade Job), so replicas start on a schema that is
 * already there. Services still check at start, under the same advisory lock, and find nothing to do.
 */
import { configOrExit, createDatabase, migrate, platformMigrations } from '@necp/platform';
import { allServices } from './services.ts';

const config = configOrExit();
if (!config.DATABASE_URL) {
  process.stderr.write('migrate: DATABASE_URL must name the PostgreSQL database to migrate\n');
  process.exit(78);
}
const db = await createDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2 });
try {
  const sets = allServices.flatMap((service) =>
    service.migrations ? [{ scope: service.name, directory: service.migrations }] : [],
  );
  const applied = await migrate(db, [platformMigrations, ...sets]);
  process.stdout.write(
    `migrate: ${applied.length} migration(s) applied${applied.length ? `: ${applied.join(', ')}` : ''}\n`,
  );
} finally {
  await db.close();
}
