/**
 * Statements per operation from PostgreSQL's pg_stat_statements, when the bench's server has it
 * (`BENCH_PG_STATEMENTS=1`): reset before a row, read after it, each statement's calls divided by
 * the operations the row completed. What decides a row's PostgreSQL CPU is how many statements an
 * operation sends and what each one costs, which requests/s on a shared machine do not say.
 */
import pg from 'pg';

const enabled = process.env.BENCH_PG_STATEMENTS === '1' && process.env.DATABASE_URL !== undefined;

async function query<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Forgets what was counted so far (nothing when disabled). */
export async function resetStatements(): Promise<void> {
  if (enabled) await query('select pg_stat_statements_reset()');
}

/** Prints the statements since the reset, per operation, the costliest first (nothing when disabled). */
export async function printStatements(title: string, operations: number, limit = 40): Promise<void> {
  if (!enabled || operations === 0) return;
  const rows = await query<{ calls: string; total: number; mean: number; query: string }>(
    `select calls::text, total_exec_time as total, mean_exec_time as mean, query from pg_stat_statements
      where query not like '%pg_stat_statements%' order by total_exec_time desc`,
  );
  const calls = rows.reduce((sum, row) => sum + Number(row.calls), 0);
  const lines = rows
    .slice(0, limit)
    .map(
      (row) =>
        `${(Number(row.calls) / operations).toFixed(2).padStart(7)} ${row.mean.toFixed(2).padStart(8)} ms ` +
        `${(row.total / operations).toFixed(2).padStart(7)} ms  ${row.query.replace(/\s+/g, ' ').slice(0, 150)}`,
    );
  process.stdout.write(
    `\n${title}: ${(calls / operations).toFixed(1)} statements per operation\n` +
      `  per op     mean    ms/op  statement\n${lines.join('\n')}\n`,
  );
}
