/**
 * The fixed set of error types. A UserError is something the user can fix: the CLI
 * prints its message (and `hint`, what to do next) without a stack and exits with its
 * `exitCode`: 2 (the command line or the pipeline is invalid, nothing was run) unless it
 * says 1 (a lock held by another run, a full disk, a damaged file: see ./fsErrors.ts).
 * A StageError is a stage that failed while running (exit 1). Anything else is an
 * internal error and is printed with its stack.
 */

export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT.invalid,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Raised by a stage when its input or its computation makes it stop (NaN loss, bad pairs file). */
export class StageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'StageError';
  }
}

/** Raised when the user interrupts a run (SIGINT); the CLI exits 130. */
export class InterruptedError extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

export const EXIT = { ok: 0, stageFailed: 1, invalid: 2, interrupted: 130 } as const;
