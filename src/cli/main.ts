/**
 * The command line: a thin dispatcher from the first word to one command. Anything that
 * is not a command name is a pipeline to run.
 */
import { closest, distance } from 'fastest-levenshtein';
import { existsSync } from 'node:fs';
import { EXIT, InterruptedError, StageError, UserError } from '../core/errors.ts';
import { fsUserError } from '../core/fsErrors.ts';
import { commaList, parseCommandLine } from './args.ts';
import { HELP } from './help.ts';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  help: async () => {
    process.stdout.write(HELP);
    return EXIT.ok;
  },
  validate: async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'validate');
    if (values.help) return commands.help([]);
    if (positionals.length === 0) throw new UserError('validate needs at least one pipeline file', 'dpo-run validate pipelines/*.yaml');
    const { validateCommand } = await import('./validate.ts');
    return validateCommand(positionals, { json: values.json ?? false });
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
  help: { type: 'boolean', short: 'h' },
} as const;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, runOptions, 'a run');
  if (values.help) return commands.help([]);
  if (positionals.length === 0) throw new UserError('no pipeline given', 'dpo-run PIPELINE.yaml [options]; see dpo-run --help');
  const [file, ...rest] = positionals;
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
    set: values.set ?? [],
    sweep: values.sweep ?? [],
    only: commaList(values.only),
    force: commaList(values.force),
    dryRun: values['dry-run'] ?? false,
    runsDir: values['runs-dir'] ?? 'runs',
    backend: values.backend,
    launcher: values.launcher ?? 'local',
    wait: values.wait ?? false,
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [first = '', ...rest] = argv;
    if (first === '--help' || first === '-h') return await commands.help(rest);
    const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
    return await (command ? command(rest) : run(argv));
  } catch (error) {
    return reportError(error);
  }
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
