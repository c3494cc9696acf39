import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite's start parameters. PostgreSQL zeroes its shared buffers at start, so the default 128 MB
 * is resident from the first query on; the embedded mode's data fits in far less, and pages outside
 * the buffers are read back from the operating system's cache.
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

const builder = fileURLToPath(new URL('./pglite-template-builder.ts', import.meta.url));
const pglitePackage = fileURLToPath(new URL('../', import.meta.resolve('@electric-sql/pglite')));

/**
 * An initialised, empty cluster for this PGlite version, made once per checkout (in
 * node_modules/.cache) and copied into every new data directory: PGlite's initdb runs a second
 * WASM instance beside the first and costs seconds of CPU. It runs in a child process, whose
 * memory is given back when it exits, so even a first start never holds two instances.
 * Undefined when the cache cannot be written; the caller then lets PGlite run initdb itself.
 */
async function clusterTemplate(): Promise<string | undefined> {
  const { version } = JSON.parse(readFileSync(join(pglitePackage, 'package.json'), 'utf8')) as { version: string };
  const template = join(pglitePackage, '..', '..', '.cache', 'necp', `pglite-${version}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const building = `${template}.building-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(dirname(template), { recursive: true });
    const child = spawn(process.execPath, ['--liftoff-only', builder, building], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the PGlite template's initdb exited with ${code}`);
    // Concurrent first starts (parallel test files) each build one; the first rename wins.
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return existsSync(join(template, 'PG_VERSION')) ? template : undefined;
}

/**
 * Makes `location` a PGlite data directory: left as it is when it holds a cluster, a copy of the
 * template otherwise (copied beside it and renamed into place, so an interrupted copy is never
 * taken for a cluster).
 */
export async function prepareClusterDirectory(location: string): Promise<void> {
  // A directory with files but no cluster (an initdb cut short) is left to PGlite, as before.
  if (existsSync(location) && readdirSync(location).length > 0) return;
  const template = await clusterTemplate();
  if (template) {
    const staging = `${location}.seeding-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    // A copy-on-write clone where the file system has them (Btrfs, XFS), a plain copy elsewhere.
    cpSync(template, staging, { recursive: true, mode: constants.COPYFILE_FICLONE });
    rmSync(location, { recursive: true, force: true });
    renameSync(staging, location);
  }
  mkdirSync(location, { recursive: true });
}
