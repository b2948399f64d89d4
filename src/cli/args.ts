/**
 * Command-line parsing through node:util parseArgs, with its errors turned into
 * UserErrors that name the option and suggest a close one.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { UserError } from '../core/errors.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export function parseCommandLine<O extends OptionSpecs>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw toUserError(error, Object.keys(options), command);
  }
}

function toUserError(error: unknown, known: string[], command: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  const hint = `see dpo-run --help for the options of ${command}`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    const name = option.replace(/^-+/, '');
    const guess = closest(name, known);
    const close = distance(name, guess) <= Math.max(2, name.length / 3);
    return new UserError(`unknown option ${option} for ${command}`, close ? `did you mean --${guess}? (${hint})` : hint);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UserError(message.replace(/^Option/, 'option'), hint);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UserError(message, hint);
  return error;
}

/** `--only a,b --only c` -> [a, b, c]. */
export function commaList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

/**
 * `--set PATH VALUE` (a space where `=` belongs) as `--set PATH=VALUE`, for each flag in
 * `flags`: when the word after the flag has no `=` and is no `~PATH`, and a word follows
 * that is no option.
 */
export function joinSpacedValues(argv: string[], flags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [word, path, value] = [argv[i], argv[i + 1], argv[i + 2]];
    const spaced = flags.includes(word) && path !== undefined && !path.includes('=') && !path.startsWith('~') && !path.startsWith('-');
    if (spaced && value !== undefined && (!value.startsWith('-') || /^-[\d.]/.test(value))) {
      out.push(word, `${path}=${value}`);
      i += 2;
    } else out.push(word);
  }
  return out;
}

/** A Hydra-style override given without --set: `stages.dpo.beta=0.1`, or `~stages.dpo.sweep` to remove a key. */
export function isOverride(word: string): boolean {
  return /^~?[A-Za-z_][\w-]*(\.[\w-]+)*(=|$)/.test(word) && (word.startsWith('~') || word.includes('='));
}
