/** The executor: runs plans with a content-addressed cache, a manifest and interruption. */
export { executePlan, exitCodeOf, type ExecuteOptions, type RunResult } from './executePlan.ts';
export { executeSweep, type SweepResult } from './executeSweep.ts';
export { describeDryRun } from './dryRun.ts';
export { interruptOnSignals, manualInterruption, type Interruption } from './interruption.ts';
export { processOutput, type Output } from './progress.ts';
export { fingerprintOf, fingerprintAll, canonicalJson, projectVersion } from './fingerprint.ts';
export { cacheEntry, isCached } from './cache.ts';
export type { ManifestData, InstanceRecord, InstanceStatus, RunStatus } from './manifest.ts';
