import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Stores } from '../store/open-stores.ts';
import { packageRoot } from '../package-root.ts';
import type { CliCommand, CliContext } from './command.ts';
import { COMMAND_ENTRIES } from './commands.ts';
import { UsageError } from './usage-error.ts';
import { terminalSafe } from './format.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

// The same from src/cli/ (tsx, tests) and from the build in dist/src/cli/.
const PACKAGE_ROOT = packageRoot(import.meta.url);

/** Runs one command line. Returns the exit code; never throws. */
export async function main(argv: string[], env: Record<string, string | undefined>, rawIo: CliIo): Promise<number> {
  const io = terminalSafe(rawIo);
  let stores: Stores | undefined;
  let command: CliCommand | undefined;
  try {
    const globals = splitGlobals(argv);
    if (globals.version) {
      io.stdout(`${await packageVersion()}\n`);
      return EXIT_OK;
    }
    const entry = globals.command === undefined ? undefined : COMMAND_ENTRIES.find((c) => c.name === globals.command);
    if (globals.command !== undefined && !entry) throw new UsageError(`unknown command "${globals.command}"`);
    if (!entry) {
      // The general help lists names and summaries only: no command module is loaded for it.
      io.stdout(generalHelp());
      return globals.help ? EXIT_OK : EXIT_BAD_INPUT;
    }
    command = await entry.load();
    if (globals.help) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    const args = parseCommandArgs(command, globals.rest);
    if (args.values.help) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    // Loaded only for a command that runs, and SQLite only when the command opens the database (`diagnose file.csv`
    // never does). zod (config.ts) only when a configuration variable is set; pino only when the command logs.
    const { readConfig } = await import('../config-defaults.ts');
    const config = await readConfig(env);
    // --db names the database for this command: a SQLite file, or a postgres:// URL; else DATABASE_URL, else RUNMEDIC_DB.
    const isUrl = (s: string | undefined) => s !== undefined && /^postgres(ql)?:\/\//i.test(s);
    const databaseUrl = globals.db !== undefined ? (isUrl(globals.db) ? globals.db : undefined) : config.databaseUrl;
    const dbPath = globals.db !== undefined && !isUrl(globals.db) ? globals.db : config.dbPath;
    const { redactUrl } = await import('../store/redact-url.ts');
    // Memoised as a promise: the runs, jobs and push records of a command share one connection (or pool).
    let opening: Promise<Stores> | undefined;
    const open = () => (opening ??= import('../store/open-stores.ts').then((m) => m.openStores({ databaseUrl, dbPath })).then((s) => (stores = s)));
    const log = await cliLogger(config, env, command);
    const ctx: CliContext = {
      config,
      dbPath: databaseUrl ? redactUrl(databaseUrl) : dbPath,
      databaseUrl,
      log,
      packageRoot: PACKAGE_ROOT,
      out: (line) => io.stdout(`${line}\n`),
      err: (line) => io.stderr(`${line}\n`),
      openStores: open,
      openStore: async () => (await open()).runs,
      openJobStore: async () => (await open()).jobs,
      openPushStore: async () => (await open()).push,
    };
    return (await command.run(ctx, args)) ?? EXIT_OK;
  } catch (e) {
    return await reportError(e, command, io);
  } finally {
    await stores?.close();
  }
}

async function reportError(e: unknown, command: CliCommand | undefined, io: CliIo): Promise<number> {
  if (e instanceof UsageError) {
    const named = e.command === undefined ? undefined : e.command === command?.name ? command : await COMMAND_ENTRIES.find((x) => x.name === e.command)?.load();
    const c = named ?? command;
    io.stderr(`runmedic: ${e.message}\n${c ? `usage: ${usageLine(c)}\n` : ''}run \`runmedic${c ? ` ${c.name}` : ''} --help\` for help\n`);
    return EXIT_BAD_INPUT;
  }
  const [{ isIngestError }, { isConfigError }, { isRunNotFoundError }, { isStoreOpenError }] = await Promise.all([
    import('../ingest/ingest-error.ts'),
    import('../config.ts'),
    import('../store/run-store.ts'),
    import('../store/store-error.ts'),
  ]);
  if (isIngestError(e) || isConfigError(e) || isRunNotFoundError(e) || isStoreOpenError(e)) {
    io.stderr(`runmedic: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`runmedic: internal error: ${err.message}\n${err.stack ?? ''}\n`);
  return EXIT_INTERNAL;
}

interface Globals {
  db?: string;
  help: boolean;
  version: boolean;
  command?: string;
  rest: string[];
}

/** Pulls --db/--help/--version out of the line wherever they appear and finds the command (the first bare word). */
function splitGlobals(argv: string[]): Globals {
  const g: Globals = { help: false, version: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      g.rest.push(...argv.slice(i));
      break;
    }
    if (a === '--db' || a.startsWith('--db=')) {
      const v = a === '--db' ? argv[++i] : a.slice(5);
      if (v === undefined || v === '') throw new UsageError('--db: expected a database file path or a postgres:// URL');
      g.db = v;
    } else if (a === '--help' || a === '-h') g.help = true;
    else if (a === '--version' && g.command === undefined) g.version = true;
    else if (g.command === undefined && !a.startsWith('-')) g.command = a;
    else g.rest.push(a);
  }
  return g;
}

function parseCommandArgs(command: CliCommand, rest: string[]) {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(command.options ?? {})) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages are clear ("Unknown option '--x'") but long; keep the first sentence.
    throw new UsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''), command.name);
  }
  const n = parsed.positionals.length;
  if (n < (command.minArgs ?? 0)) throw new UsageError(`missing ${command.args || 'argument'}`, command.name);
  if (n > (command.maxArgs ?? Infinity)) throw new UsageError(`unexpected argument "${parsed.positionals[command.maxArgs ?? 0]}"`, command.name);
  return { positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined> };
}

function usageLine(c: CliCommand): string {
  // An option the positional part already names (serve's required --api-only) is not repeated as an optional one.
  const opts = Object.entries(c.options ?? {}).filter(([name]) => !c.args.split(/\s+/).includes(`--${name}`)).map(([name, o]) => (o.type === 'string' ? `[--${name} ${o.valueName ?? 'VALUE'}]` : `[--${name}]`));
  return ['runmedic', c.name, c.args, ...opts, '[--db PATH]'].filter(Boolean).join(' ');
}

function commandHelp(c: CliCommand): string {
  const lines = [`usage: ${usageLine(c)}`, '', c.summary, ''];
  for (const [name, o] of Object.entries(c.options ?? {})) {
    lines.push(`  --${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`.padEnd(22) + o.description);
  }
  lines.push('  --db PATH|URL'.padEnd(22) + 'SQLite file or postgres:// URL (default: $DATABASE_URL, else $RUNMEDIC_DB, else ./runmedic.db)');
  if (c.exitCodes) lines.push('', `exit codes: ${c.exitCodes}`);
  return `${lines.join('\n')}\n`;
}

function generalHelp(): string {
  const width = Math.max(...COMMAND_ENTRIES.map((c) => c.name.length)) + 2;
  return [
    'runmedic: triage neural-network training runs from their logs',
    '',
    'usage: runmedic <command> [options] [--db PATH]',
    '',
    'commands:',
    ...COMMAND_ENTRIES.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'global options:',
    '  --db PATH   SQLite file or postgres:// URL (default: $DATABASE_URL, else $RUNMEDIC_DB, else ./runmedic.db)',
    '  --help      this help, or a command\'s help after the command',
    '  --version   the version',
    '',
    'exit codes: 0 success, 2 bad input (file, run or option), 1 internal error (and a failing verdict for diagnose and train),',
    '            3 a training job that did not finish (train)',
    '',
  ].join('\n');
}

/**
 * The CLI logs to stderr (stdout carries results). Without LOG_LEVEL a short command logs only warnings; a long-running
 * one (serve) says what its own default asks, so a server's start, refusals and errors show up.
 */
async function cliLogger(config: Config, env: Record<string, string | undefined>, command: CliCommand): Promise<Logger> {
  const level = env.LOG_LEVEL?.trim() ? config.logLevel : (command.defaultLogLevel ?? 'warn');
  // logger.ts is small; pino itself loads when the command first logs (`diagnose file.csv` never does).
  const { lazyLogger } = await import('../logger.ts');
  return lazyLogger({ level, stream: 'stderr', secrets: [config.discordToken] });
}

async function packageVersion(): Promise<string> {
  const { readFileSync } = await import('node:fs');
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
