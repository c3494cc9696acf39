/**
 * Gathers the JSON lines the benchmarks recorded (BENCH_RESULTS_FILE) into one document with the date
 * and the machine: `node scripts/bench/collect-results.ts <lines file> <output.json>`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { RecordedFigures } from './results.ts';

const [linesFile, output] = process.argv.slice(2);
if (!linesFile || !output) {
  process.stderr.write('usage: collect-results.ts <lines file> <output.json>\n');
  process.exit(2);
}
const tables = readFileSync(linesFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RecordedFigures);
const document = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  tables,
};
writeFileSync(output, `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`\nfigures as JSON: ${output} (${tables.length} tables)\n`);
