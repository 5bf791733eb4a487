/**
 * Errors the user can cause and fix. The entry point prints `error: <message>` once and exits with
 * `exitCode`; messages are one line, name the flag or input at fault and say how to fix it.
 */
export class UserError extends Error {
  /** Exit status for invalid input, as getopt-style tools use. */
  readonly exitCode: number = 2;

  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
