/**
 * `npm start`. Node keeps the modules it has type-stripped and compiled in node_modules/.cache, so a
 * start after the first skips that (about a third of the start's CPU); the backend is loaded after
 * the cache is on, so its modules go through it.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache(new URL('../../../node_modules/.cache/necp/compile', import.meta.url).pathname);
await import('./serve.ts');
