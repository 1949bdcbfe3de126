import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { censorLine } from '../../censor/censor.js';
import { humanLine } from './human-line.js';
import { knownSecrets, type KnownSecrets } from '../../censor/known-secrets.js';
import { logOutput } from './log-output.js';
import { REDACTED, redactObject } from '../../censor/redact-object.js';

export interface CreateLoggerOptions {
  /** The component, written as `name` on every line (`controller`, `sync-worker`, …). */
  name: string;
  /** Lowest level written. @defaultValue env `BATON_LOG_LEVEL`, else `info` */
  level?: Level | 'silent';
  /** Human-readable lines instead of JSON. @defaultValue `logOutput.format` (`--log-format`); when auto, true when writing to stdout and stdout is a TTY */
  pretty?: boolean;
  /** With `pretty`: an error's stack under its line. @defaultValue `logOutput.stacks` (`--debug`) */
  stacks?: boolean;
  /** Where lines go. @defaultValue stdout (synchronous writes, so nothing is lost when the process dies) */
  destination?: DestinationStream;
  /** Secret values to censor besides those of `env` (e.g. the API tokens read from the state dir). @defaultValue none */
  secrets?: readonly string[];
  /** Variables `BATON_*TOKEN*`/`*SECRET*`/`*PASSWORD*` are read from here and censored. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** The set of values censored; shared so a value learnt by one logger is hidden by all. @defaultValue the process-wide `knownSecrets` */
  knownSecrets?: KnownSecrets;
}

/** Paths pino itself redacts (its fast path); the object walk and the line censor catch the rest. */
const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-gitlab-token"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.password',
  '*.secret',
];

/**
 * A pino logger writing one JSON object per line (pretty on a terminal), with
 * secrets kept out three ways: pino `redact` paths, a walk of each logged
 * object (secret-named fields, Kubernetes Secret `data`/`stringData`), and a
 * censor over the final line for every known secret value, URL user info and
 * `Bearer`/`Basic` credentials. Give children context with `withLogContext`.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const secrets = options.knownSecrets ?? knownSecrets;
  secrets.addFromEnv(options.env ?? process.env);
  for (const value of options.secrets ?? []) secrets.add(value);

  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  const pretty = options.pretty ?? (logOutput.format === 'auto' ? options.destination === undefined && process.stdout.isTTY === true : logOutput.format === 'human');
  const colour = options.destination === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const prettify = pretty ? (line: string) => humanLine(line, { colour, stacks: options.stacks ?? logOutput.stacks }) : undefined;
  const stream: DestinationStream = {
    write(line: string) {
      const clean = censorLine(line, secrets);
      out.write(prettify ? prettify(clean) : clean);
    },
  };
  const level = options.level ?? envLevel(process.env.BATON_LOG_LEVEL);
  return pino(
    {
      name: options.name,
      level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      // The censor runs before any output is formatted (JSON or pretty, whatever stream is set up): message and interpolated strings here, objects below.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? censorLine(a, secrets) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log: (obj) => redactObject(obj, secrets),
        bindings: (bindings) => redactObject(bindings, secrets),
      },
    },
    stream,
  );
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function envLevel(value: string | undefined): Level | 'silent' {
  if (value === undefined || value === '') return 'info';
  if (!LEVELS.includes(value)) throw new Error(`BATON_LOG_LEVEL: "${value}" is not a log level; use one of ${LEVELS.join(', ')}`);
  return value as Level | 'silent';
}
