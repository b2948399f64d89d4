/** Types of ./sourceStamp.mjs (plain JavaScript: bin/dpo-run.js loads it before any TypeScript). */
export const STAMP_FILE: string;
export function sourcePaths(root: string): string[];
export function stampOf(root: string, paths: readonly string[]): string | null;
export function distIsCurrent(root: string): boolean;
