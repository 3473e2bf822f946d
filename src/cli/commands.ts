import type { CliCommand } from './command.ts';

/** One subcommand as the command list knows it: enough for `runmedic --help`, and how to load the rest. */
export interface CommandEntry {
  name: string;
  /** The command's own `summary` (a test checks they agree). */
  summary: string;
  load(): Promise<CliCommand>;
}

/**
 * Every subcommand, in the order --help lists them. A command's module is imported only when that command runs (or
 * shows its help): `runmedic --help` must not pay for zod, pino, SQLite, the engine or the charts.
 * To add one: write src/cli/<name>.ts and append an entry here.
 */
export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { name: 'ingest', summary: 'read training logs (files, directories, zips) into the database and print the run ids', load: async () => (await import('./ingest.ts')).ingestCommand },
  { name: 'runs', summary: 'list the stored runs, newest first', load: async () => (await import('./runs.ts')).runsCommand },
  { name: 'show', summary: 'show one run: its series, point counts, first/last/min/max', load: async () => (await import('./show.ts')).showCommand },
  {
    name: 'diagnose',
    summary: 'diagnose a log file, a log directory or a stored run: a checklist with evidence and fixes (exit 1 when something fails)',
    load: async () => (await import('./diagnose.ts')).diagnoseCommand,
  },
  {
    name: 'chart',
    summary: 'draw a run (stored, or a log file or directory) as a PNG: loss, main metric and lr, with the verdict marked',
    load: async () => (await import('./chart.ts')).chartCommand,
  },
  {
    name: 'demo',
    summary: "run runmedic's main job: the bundled examples/ logs (ingest, list, diagnose, chart), then train a small network with a planted fault and diagnose it",
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'datacheck',
    summary: 'check a data file before training: class balance, duplicates, leakage, conflicting labels, scale, and likely label errors (confident learning)',
    load: async () => (await import('./datacheck.ts')).datacheckCommand,
  },
  {
    name: 'sanity',
    summary: 'sanity-check your own model on your data before a long run: loss at initialisation against ln K, overfit one batch, loss depends on the inputs',
    load: async () => (await import('./sanity.ts')).sanityCommand,
  },
  {
    name: 'lrfind',
    summary: 'learning-rate range test of your own model on your data (1e-7 to 10, stopped when the loss explodes): the loss-vs-rate chart and a suggested rate',
    load: async () => (await import('./lrfind.ts')).lrfindCommand,
  },
  {
    name: 'train',
    summary: 'train a preset, or your own model on your own data, with TensorFlow.js in a child process, store the run and print its verdict',
    load: async () => (await import('./train.ts')).trainCommand,
  },
  { name: 'token', summary: 'create, list or revoke API tokens for the HTTP push API', load: async () => (await import('./token.ts')).tokenCommand },
  {
    name: 'watch',
    summary: 'read training output as it is printed (a pipe, or a growing file), keep its verdict up to date and stream its records to a server',
    load: async () => (await import('./watch.ts')).watchCommand,
  },
  { name: 'serve', summary: 'run the HTTP push API without the Discord bot (HTTP_HOST, HTTP_PORT)', load: async () => (await import('./serve.ts')).serveCommand },
  {
    name: 'worker',
    summary: 'train queued jobs from the shared database (DATABASE_URL) until stopped; run one per machine that trains',
    load: async () => (await import('./worker.ts')).workerCommand,
  },
  {
    name: 'export',
    summary: 'write the whole database (runs, jobs, tokens, alerts, digests) to a dump file that `runmedic import` loads into SQLite or PostgreSQL',
    load: async () => (await import('./transfer.ts')).exportCommand,
  },
  {
    name: 'import',
    summary: 'load a dump written by `runmedic export` into an empty database (SQLite file or DATABASE_URL), all or nothing',
    load: async () => (await import('./transfer.ts')).importCommand,
  },
  {
    name: 'migrate',
    summary: 'apply pending schema migrations to the database (SQLite file or DATABASE_URL); safe to run again or from several processes',
    load: async () => (await import('./migrate.ts')).migrateCommand,
  },
];

/** Every command, loaded (tests, and anything that needs all of them). */
export async function loadAllCommands(): Promise<CliCommand[]> {
  return Promise.all(COMMAND_ENTRIES.map((e) => e.load()));
}
