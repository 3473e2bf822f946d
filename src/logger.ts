/**
 * The one pino logger factory. Pretty output when writing to a terminal, JSON lines otherwise.
 * Secrets are removed twice: by field path (pino's redact) and by value (every configured secret string is
 * replaced wherever it appears, even inside a message or an error's text).
 */
import { createRequire } from 'node:module';
import type { Logger, DestinationStream, LevelWithSilent } from 'pino';
import type * as Pino from 'pino';
import type { PrettyOptions } from 'pino-pretty';

const require = createRequire(import.meta.url);
// pino is loaded when a logger is made (lazyLogger: when one is first used), so a CLI command that never logs does
// not pay for it; pino-pretty only when a terminal wants it: it costs a few hundred ms of start-up.
const loadPino = (): typeof Pino.pino => (require('pino') as typeof Pino).pino;
const pretty = (opts: PrettyOptions): DestinationStream => (require('pino-pretty') as (o: PrettyOptions) => DestinationStream)(opts);

export type { Logger } from 'pino';

const CENSOR = '[Redacted]';

/** Field paths that hold secrets. pino's `*` matches exactly one level, hence both forms. */
export const REDACT_PATHS: readonly string[] = [
  'token', '*.token',
  'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'req.headers.authorization', 'request.headers.authorization',
  'headers.Authorization', '*.headers.Authorization',
  'cookie', '*.cookie', 'headers.cookie', '*.headers.cookie',
  'password', '*.password', 'secret', '*.secret', 'apiKey', '*.apiKey',
  'DISCORD_TOKEN', '*.DISCORD_TOKEN', 'env.DISCORD_TOKEN',
  'discordToken', '*.discordToken', 'config.discordToken',
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Secret values (e.g. the Discord token) to scrub from every line, whatever field or message they appear in. */
  secrets?: Array<string | undefined>;
  /** Pretty-print for humans; defaults to whether the output stream is a TTY. */
  pretty?: boolean;
  /** The standard stream to write to when no destination is given: the CLI logs to stderr so stdout stays data. */
  stream?: 'stdout' | 'stderr';
  /** Where lines go; defaults to `stream`. Tests pass a collecting stream. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(opts: LoggerOptions): Logger {
  const pino = loadPino();
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const fd = opts.stream === 'stderr' ? 2 : 1;
  const usePretty = opts.pretty ?? Boolean((fd === 2 ? process.stderr : process.stdout).isTTY);
  // Synchronous writes: log volume is low and a CLI that exits right after an error must not lose the line.
  const sink: DestinationStream =
    opts.destination ??
    (usePretty
      ? pretty({ colorize: true, sync: true, destination: fd, translateTime: 'SYS:HH:MM:ss' })
      : pino.destination({ dest: fd, sync: true }));
  // When pretty is requested with an explicit destination, format then forward.
  const target: DestinationStream =
    usePretty && opts.destination ? pretty({ colorize: false, sync: true, destination: opts.destination as NodeJS.WritableStream }) : sink;
  return pino(
    {
      level: opts.level,
      name: opts.name ?? 'runmedic',
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    },
    secrets.length ? scrubbing(target, secrets) : target,
  );
}

/** Wraps a destination so that no line can carry a known secret value. */
function scrubbing(dest: DestinationStream, secrets: string[]): DestinationStream {
  return {
    write(line: string) {
      let out = line;
      for (const s of secrets) if (out.includes(s)) out = out.split(s).join(CENSOR);
      return dest.write(out);
    },
  };
}

/**
 * createLogger(opts), made on first use: a CLI command that never logs never loads pino. Every property read, write
 * and call goes to the one real logger (methods bound to it), with the same redaction and secret scrubbing.
 */
export function lazyLogger(opts: LoggerOptions): Logger {
  let real: Logger | undefined;
  const logger = () => (real ??= createLogger(opts));
  return new Proxy({} as Logger, {
    get(_, key) {
      // Not a thenable: returning the logger from an async function (or awaiting it) must not make it.
      if (key === 'then') return undefined;
      const l = logger();
      const v: unknown = Reflect.get(l, key, l);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(l) : v;
    },
    set: (_, key, value) => Reflect.set(logger(), key, value),
    has: (_, key) => Reflect.has(logger(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(logger()),
  });
}

/** A logger that discards everything, for tests and for CLI commands run quietly. */
export function silentLogger(): Logger {
  return loadPino()({ level: 'silent' });
}
