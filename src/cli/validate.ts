/**
 * `dpo-run validate FILE... [--json] [--set ...] [--sweep ...]`: checks each pipeline
 * against the schemas and the cross-stage rules, and that the files and folders it reads
 * exist, and prints every problem at once (or, with --json, a JSON array of them). Exits 2
 * when any file has a problem, else 0.
 */
import { EXIT } from '../core/errors.ts';
import { formatDiagnostics, loadPipeline, type Diagnostic } from '../pipeline/index.ts';

export interface ValidateOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: ValidateOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export interface ValidateOptions {
  json: boolean;
  /** --set and --sweep, applied to every file. */
  set?: string[];
  sweep?: string[];
}

export async function validateCommand(files: string[], options: ValidateOptions, output: ValidateOutput = processOutput): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const ok: string[] = [];
  for (const file of files) {
    const loaded = await loadPipeline(file, { set: options.set ?? [], sweep: options.sweep ?? [] });
    if (loaded.errors) diagnostics.push(...loaded.errors);
    else ok.push(`${file}: ok (${countOf(loaded.plans[0].instances.map((i) => i.stage))})`);
  }
  if (options.json) {
    const rows = diagnostics.map(({ file, line, col, code, path, message, suggestion }) => ({ file, line, col, code, path, message, suggestion: suggestion ?? null }));
    output.stdout(JSON.stringify(rows, null, 2) + '\n');
  } else {
    if (ok.length > 0) output.stdout(ok.join('\n') + '\n');
    if (diagnostics.length > 0) output.stderr(formatDiagnostics(diagnostics));
  }
  return diagnostics.length > 0 ? EXIT.invalid : EXIT.ok;
}

/** `3 stages, 6 instances`. */
function countOf(stages: string[]): string {
  const count = new Set(stages).size;
  return `${count} stage${count === 1 ? '' : 's'}, ${stages.length} instance${stages.length === 1 ? '' : 's'}`;
}
