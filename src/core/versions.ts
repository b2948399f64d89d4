/**
 * The versions a run records and `dpo-run --version` / `dpo-run env` print: dpo-run's (its
 * package.json), Node's and TensorFlow.js's (read from the installed package, without
 * loading TensorFlow.js).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Versions {
  dpo_run: string;
  node: string;
  tfjs: string;
}

const require = createRequire(import.meta.url);

/** The version in dpo-run's package.json. */
export function dpoRunVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The version of an installed package, or `not installed`. */
export function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function versions(): Versions {
  return { dpo_run: dpoRunVersion(), node: process.versions.node, tfjs: packageVersion('@tensorflow/tfjs') };
}
