/** The real `runmedic` CLI as a separate process, the way a user runs it (the compiled `bin`): exit code, stdout and stderr. */
import { execFile } from 'node:child_process';
import { builtBin } from './built.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The package's `bin` (dist/src/cli.js), built and current: spawn it with `process.execPath`. */
export function runmedicBin(): string {
  return builtBin();
}

export interface RunCliOptions {
  cwd?: string;
  /** On top of this process's environment; LOG_LEVEL is cleared first so the CLI's own default applies. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function runCli(args: string[], o: RunCliOptions = {}): Promise<CliResult> {
  const bin = runmedicBin();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: o.cwd, env: { ...process.env, LOG_LEVEL: '', ...o.env }, timeout: o.timeoutMs ?? 90_000, maxBuffer: 8 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
