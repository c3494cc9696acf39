import { type Expression, type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/**
 * Named prepared statements, opt-in per statement. A store marks a hot statement with `prepared`
 * (a comment at the end of its text); the PostgreSQL pool's connections send a marked text as a named
 * prepared statement (`nameMarkedStatements`), so each connection parses and analyses it once, and
 * PostgreSQL's default plan_cache_mode (auto) plans it generically once a generic plan costs no more
 * than the custom ones did (after five executions): most executions are then neither parsed nor
 * planned. Everything unmarked (the outbox relay, migrations, ad-hoc and list-length queries) stays an
 * unnamed statement, parsed and planned with its values at every execution. On PGlite the mark is
 * only a comment.
 *
 * Mark a statement only where one plan fits every value: a text that varies with a list's length
 * (IN, VALUES) gets a name per length (take an array instead, `= ANY($1::uuid[])`), a predicate whose
 * best plan depends on its values (`$1 IS NULL OR ...`) keeps a poor generic plan, and an ON CONFLICT
 * ... WHERE must name a partial unique index's predicate with literals (a generic plan cannot prove
 * that parameters match it, and the statement fails).
 *
 * Trade-offs: a prepared statement's result type is fixed when its connection prepares it, so a
 * migration that changes a table under running replicas (a rolling deploy) can fail their prepared
 * statements on it ("cached plan must not change result type") until their connections are
 * replaced; and a pooler in transaction mode must support protocol-level prepared statements
 * (PgBouncer 1.21 and later, max_prepared_statements > 0).
 */
const MARK = '/* necp:prepared */';
const mark = sql.raw(MARK);

/** A Kysely query builder (select, insert, update, delete): each can end with a modifier. */
interface EndModifiable<Q> {
  modifyEnd(modifier: Expression<unknown>): Q;
}

/** `query` marked to run as a named prepared statement on PostgreSQL (see above: which statements fit). */
export function prepared<Q extends EndModifiable<Q>>(query: Q): Q;
export function prepared<T>(query: RawBuilder<T>): RawBuilder<T>;
export function prepared<Q extends EndModifiable<Q>, T>(query: Q | RawBuilder<T>): Q | RawBuilder<T> {
  return 'modifyEnd' in query ? query.modifyEnd(mark) : sql<T>`${query} ${mark}`;
}

/**
 * The pool's connections send marked texts as named prepared statements: one name per distinct text
 * in the process, at most `limit` names (a text past them runs unnamed), so a connection never holds
 * more than `limit` prepared statements.
 */
export function nameMarkedStatements(pool: pg.Pool, limit = 500): void {
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
      if (args.length === 2 && typeof text === 'string' && text.endsWith(MARK) && Array.isArray(values)) {
        const name = nameOf(text);
        if (name !== undefined) return query({ name, text, values });
      }
      return query(...args);
    }) as typeof client.query;
  });
}
