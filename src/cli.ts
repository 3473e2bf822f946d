#!/usr/bin/env node
/** The `runmedic` command line: `bin` in package.json points at its build (dist/src/cli.js). Subcommands live in src/cli/. */
import { main } from './cli/main.ts';

// A closed pipe (`runmedic runs | head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2), process.env, {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
});
