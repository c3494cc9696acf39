import type pg from 'pg';

/**
 * Every parameterized query of the pool's clients as a named prepared statement: a connection
 * parses a statement's text once instead of at every execution, and sends it once instead of every
 * time (the longest statements here are CTE chains of a kilobyte). The pool's sessions plan every
 * execution with its values (plan_cache_mode, database.ts), as unnamed statements are planned.
 * Only queries with parameters: they already go by the extended protocol, so they are single
 * statements; those without (BEGIN, COMMIT, migration files) stay as they are. At most `limit`
 * texts get a name, so a connection never holds more than `limit` prepared statements, even where
 * a statement's text grows with a list (IN, VALUES).
 *
 * A statement's result type is fixed when a connection prepares it: a migration that changes a
 * table under running replicas (a rolling deploy) can fail their prepared statements on it until
 * their connections are replaced, and a pooler in transaction mode must support protocol-level
 * prepared statements (PgBouncer 1.21 and later).
 */
export function prepareStatements(pool: pg.Pool, limit = 2000): void {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known !== undefined || names.size >= limit) return known;
    const name = `necp_${names.size}`;
    names.set(text, name);
    return name;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
        const name = nameOf(text);
        if (name !== undefined) return query({ name, text, values });
      }
      return query(...args);
    }) as typeof client.query;
  });
}
