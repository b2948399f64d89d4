/**
 * The yaml library, loaded on first use: loading it takes 50-90 ms, and a pipeline loaded
 * from the parse cache (./parsedCache.ts) never needs it. A synchronous require (the
 * library ships CommonJS), so that the modules using it stay synchronous and static.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}
