import autocannon from 'autocannon';
import { recordFigures } from './results.ts';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSeconds?: number;
}

/** Drives one URL with autocannon and keeps the figures the reports print. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? 50,
    duration: options.durationSeconds ?? Number(process.env.BENCH_SECONDS ?? 5),
  });
  return {
    name: options.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export function printTable(title: string, results: LoadResult[], baseline?: LoadResult): void {
  recordFigures(title, results, baseline);
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(
    `${'target'.padEnd(44)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}${baseline ? '  vs baseline' : ''}\n`,
  );
  for (const result of results) {
    const ratio = baseline ? `  ${(result.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}×` : '';
    process.stdout.write(
      `${result.name.padEnd(44)}${String(result.requestsPerSecond).padStart(10)}${String(result.p50Ms).padStart(9)}${String(result.p99Ms).padStart(9)}${String(result.non2xx).padStart(9)}${String(result.errors).padStart(8)}${ratio}\n`,
    );
  }
}
