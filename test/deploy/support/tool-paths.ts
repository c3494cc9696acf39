import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

/**
 * Runs one of the install scripts of scripts/infra (which installs what is missing) and returns the
 * `NAME=path` lines it prints as an object.
 */
export async function toolPaths<Name extends string>(script: string): Promise<Record<Name, string>> {
  const { stdout } = await run(join(root, 'scripts/infra', script), [], { maxBuffer: 16 * 1024 * 1024 });
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2)),
  ) as Record<Name, string>;
}
