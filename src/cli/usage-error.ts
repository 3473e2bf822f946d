/** The command line itself is wrong (unknown command or option, missing argument): exit code 2 with the usage. */
export class UsageError extends Error {
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
