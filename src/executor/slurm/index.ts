/** The Slurm launcher: one sbatch job per stage instance, all sharing one runs/ folder (see DESIGN.md, "Scale-out"). */
export { submitPlans, type Submission, type SubmitOptions } from './submitRun.ts';
export { describeSlurmDryRun } from './slurmDryRun.ts';
export { executeInstance } from './executeInstance.ts';
export { readLaunch, type Launch } from './launchFile.ts';
export { followRuns } from './followRuns.ts';
export { readRunState, type RunState, type InstanceState } from './runState.ts';
export { describeInstance, logTail } from './describeState.ts';
export { refreshSweepFile } from './sweepFile.ts';
