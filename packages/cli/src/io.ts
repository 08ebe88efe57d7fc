/** Where a command writes and reads; the real process in the binary, buffers in tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
}

/** Thrown for a mistake in how the command was called; printed with the command's help, exit code 2. */
export class UsageError extends Error {
  /** The help of the command that was called wrongly, printed after the message. */
  help?: string;
}
