/**
 * The figures of a benchmark run as JSON beside the printed tables: each table (and each line of
 * derived figures) is appended as one JSON line to BENCH_RESULTS_FILE when scripts/bench.sh sets it;
 * scripts/bench/collect-results.ts gathers them into one document at the end of the run.
 */
import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface RecordedFigures {
  /** The benchmark file that measured them. */
  bench: string;
  title: string;
  rows: unknown[];
  baseline?: unknown;
}

const benchName = basename(process.argv[1] ?? 'bench', '.ts');

export function recordFigures(title: string, rows: unknown[], baseline?: unknown): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (!file) return;
  const record: RecordedFigures = { bench: benchName, title, rows, ...(baseline === undefined ? {} : { baseline }) };
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/** Prints a line of derived figures (a ratio against the baseline, a target met or not) and records it. */
export function reportLine(text: string, figures: Record<string, number | string | boolean> = {}): void {
  process.stdout.write(`${text}\n`);
  recordFigures(text, [figures]);
}
