/**
 * Runs PGlite's initdb into the directory named by the first argument, in a process of its own
 * (see pglite-cluster.ts): the server never holds initdb's WASM instances beside its own.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_START_PARAMS } from './pglite-cluster.ts';

const target = process.argv[2];
if (!target) throw new Error('usage: pglite-template-builder.ts <directory>');
const pglite = await PGlite.create(target, { startParams: PGLITE_START_PARAMS });
await pglite.close();
