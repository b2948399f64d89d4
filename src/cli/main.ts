/**
 * The command line: a thin dispatcher from the first word to one command. Anything that
 * is not a command name is a pipeline to run.
 */
import { closest, distance } from 'fastest-levenshtein';
import { existsSync } from 'node:fs';
import { EXIT, InterruptedError, StageError, UserError } from '../core/errors.ts';
import { fsUserError } from '../core/fsErrors.ts';
import { commaList, isOverride, joinSpacedValues, parseCommandLine } from './args.ts';
import { HELP } from './help.ts';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  help: async () => {
    process.stdout.write(HELP);
    return EXIT.ok;
  },
  validate: async (argv) => {
    const options = { json: { type: 'boolean' }, set: { type: 'string', multiple: true }, sweep: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const;
    const { values, positionals } = parseCommandLine(joinSpacedValues(argv, ['--set', '--sweep']), options, 'validate');
    if (values.help) return commands.help([]);
    const files = positionals.filter((p) => !isOverride(p));
    if (files.length === 0) throw new UserError('validate needs at least one pipeline file', 'dpo-run validate pipelines/*.yaml');
    const { validateCommand } = await import('./validate.ts');
    const set = [...(values.set ?? []), ...positionals.filter(isOverride)];
    return validateCommand(files, { json: values.json ?? false, set, sweep: values.sweep ?? [] });
  },
  report: async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h' } }, 'report');
    if (values.help) return commands.help([]);
    if (positionals.length !== 1) throw new UserError('report takes one run or sweep folder', 'dpo-run report runs/<pipeline>/<run-id>');
    const { reportCommand } = await import('./report.ts');
    return reportCommand(positionals[0]);
  },
  verify: async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h' } }, 'verify');
    if (values.help) return commands.help([]);
    if (positionals.length > 1) throw new UserError('verify takes one run folder or cache folder', 'dpo-run verify [runs/<pipeline>/<run-id> | runs/cache]');
    const { verifyCommand } = await import('./verify.ts');
    return verifyCommand(positionals[0] ?? 'runs/cache');
  },
  status: async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h' } }, 'status');
    if (values.help) return commands.help([]);
    if (positionals.length !== 1) throw new UserError('status takes one run or sweep folder', 'dpo-run status runs/<pipeline>/<run-id>');
    const { statusCommand } = await import('./status.ts');
    return statusCommand(positionals[0]);
  },
  runs: async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h' } }, 'runs');
    if (values.help) return commands.help([]);
    if (positionals.length > 1) throw new UserError('runs takes one runs folder', 'dpo-run runs [RUNS_DIR]');
    const { runsCommand } = await import('./runs.ts');
    return runsCommand(positionals[0] ?? 'runs');
  },
  compare: async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h' } }, 'compare');
    if (values.help) return commands.help([]);
    if (positionals.length === 0) throw new UserError('compare takes run folders, or a sweep folder', 'dpo-run compare RUN RUN... | SWEEP_FOLDER');
    const { compareCommand } = await import('./compare.ts');
    return compareCommand(positionals);
  },
  cache: async (argv) => {
    const options = { 'runs-dir': { type: 'string' }, 'keep-last': { type: 'string' }, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
    const { values, positionals } = parseCommandLine(argv, options, 'cache');
    if (values.help) return commands.help([]);
    const [action, ...rest] = positionals;
    if (rest.length > 0 || (action !== undefined && action !== 'prune')) throw new UserError(`cache takes no "${[action, ...rest].join(' ')}"`, 'dpo-run cache [--runs-dir DIR], or dpo-run cache prune [--keep-last N | --older-than D] [--dry-run]');
    const { cacheCommand, cachePruneCommand } = await import('./cache.ts');
    const runsDir = values['runs-dir'] ?? 'runs';
    if (action !== 'prune') return cacheCommand(runsDir);
    return cachePruneCommand(runsDir, { keepLast: values['keep-last'], olderThan: values['older-than'], dryRun: values['dry-run'] ?? false });
  },
  env: async (argv) => {
    const { values } = parseCommandLine(argv, { backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'env');
    if (values.help) return commands.help([]);
    const { envCommand } = await import('./env.ts');
    return envCommand({ backend: values.backend });
  },
  'run-instance': async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h' } }, 'run-instance');
    if (values.help) return commands.help([]);
    if (positionals.length !== 2) throw new UserError('run-instance takes a run folder and an instance id', 'dpo-run run-instance runs/<pipeline>/<run-id> INSTANCE (what a Slurm job runs)');
    const { runInstanceCommand } = await import('./runInstance.ts');
    return runInstanceCommand(positionals[0], positionals[1]);
  },
};

const runOptions = {
  set: { type: 'string', multiple: true },
  sweep: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  force: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  'runs-dir': { type: 'string' },
  backend: { type: 'string' },
  launcher: { type: 'string' },
  wait: { type: 'boolean' },
  isolate: { type: 'boolean' },
  'no-isolate': { type: 'boolean' },
  'skip-memory-check': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(joinSpacedValues(argv, ['--set', '--sweep']), runOptions, 'a run');
  if (values.help) return commands.help([]);
  const [file, ...rest] = positionals.filter((p) => !isOverride(p));
  if (file === undefined) throw new UserError('no pipeline given', 'dpo-run PIPELINE.yaml [options]; see dpo-run --help');
  if (!existsSync(file) && !/\.ya?ml$/i.test(file)) {
    const guess = closest(file, Object.keys(commands));
    const hint = distance(file, guess) <= 2 ? `did you mean "dpo-run ${guess}"?` : 'the commands are: ' + Object.keys(commands).join(', ') + ', or a pipeline file to run';
    throw new UserError(`"${file}" is neither a command nor a pipeline file`, hint);
  }
  if (rest.length > 0) {
    throw new UserError(`a run takes one pipeline file; also got ${rest.map((r) => `"${r}"`).join(', ')}`, 'to run several variants use --sweep PATH=V1,V2');
  }
  const { runCommand } = await import('./run.ts');
  return runCommand({
    file,
    set: [...(values.set ?? []), ...positionals.filter(isOverride)],
    sweep: values.sweep ?? [],
    only: commaList(values.only),
    force: commaList(values.force),
    dryRun: values['dry-run'] ?? false,
    runsDir: values['runs-dir'] ?? 'runs',
    backend: values.backend,
    argv,
    launcher: values.launcher ?? 'local',
    wait: values.wait ?? false,
    isolate: values.isolate ? true : values['no-isolate'] ? false : undefined,
    skipMemoryCheck: values['skip-memory-check'] ?? false,
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [first = '', ...rest] = argv;
    if (first === '--help' || first === '-h') return await commands.help(rest);
    if (first === '--version' || first === '-V') return version();
    const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
    return await (command ? command(rest) : run(argv));
  } catch (error) {
    return reportError(error);
  }
}

/** `dpo-run --version`: dpo-run's version (dpo-run env gives the rest). */
async function version(): Promise<number> {
  const { dpoRunVersion } = await import('../core/versions.ts');
  process.stdout.write(`dpo-run ${dpoRunVersion()}\n`);
  return EXIT.ok;
}

/**
 * Prints an error the way its type asks and returns the exit code. A file-system error
 * (a full disk, a read-only folder, a missing file) is a UserError naming its path.
 */
function reportError(thrown: unknown): number {
  const error = fsUserError(thrown) ?? thrown;
  if (error instanceof UserError || error instanceof StageError) {
    process.stderr.write(`error: ${error.message}\n` + (error.hint ? `  ${error.hint}\n` : ''));
    return error instanceof UserError ? error.exitCode : EXIT.stageFailed;
  }
  if (error instanceof InterruptedError) {
    process.stderr.write('interrupted\n');
    return EXIT.interrupted;
  }
  process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.stageFailed;
}
