import { isCommitId, shortRevision } from '../../../runtime/kube/revision.js';

/** Options of `humanLine`. */
export interface HumanLineOptions {
  /** ANSI colours: the level by severity, the app in bold, fields dimmed. @defaultValue false */
  colour?: boolean;
  /** Show an error's stack under its line (`--debug`), not only its message. @defaultValue false */
  stacks?: boolean;
}

const LEVELS: Record<number, { label: string; colour: string }> = {
  10: { label: 'TRACE', colour: '90' },
  20: { label: 'DEBUG', colour: '90' },
  30: { label: 'INFO ', colour: '32' },
  40: { label: 'WARN ', colour: '33' },
  50: { label: 'ERROR', colour: '31' },
  60: { label: 'FATAL', colour: '41;97' },
};

/** Fields every line has, or that the line shows in its own place. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'app', 'err', 'v']);

/**
 * One pino JSON line as one line a person reads on a terminal:
 * `09:08:36 INFO  catalog  sync started  revision=f792010 trigger=poll`.
 * The app leads, other fields follow as key=value, commit ids shortened (a
 * revision the message quotes already is not repeated); anything not JSON passes through.
 */
export function humanLine(json: string, options: HumanLineOptions = {}): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const paint = (code: string, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = LEVELS[record.level as number] ?? { label: String(record.level).padEnd(5), colour: '0' };
  const time = typeof record.time === 'number' ? clock(new Date(record.time)) : '';
  const app = typeof record.app === 'string' ? record.app : undefined;
  let msg = typeof record.msg === 'string' ? record.msg : '';
  const said = (key: string, value: unknown) => key === 'revision' && typeof value === 'string' && isCommitId(value) && msg.includes(shortRevision(value));
  const err = record.err as { message?: string; stack?: string } | undefined;
  if (err?.message && !msg.includes(err.message)) msg = msg ? `${msg}: ${err.message}` : err.message;

  const fields = Object.entries(record)
    .filter(([key, value]) => !SHOWN.has(key) && value !== undefined && value !== null && !said(key, value))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const parts = [paint('2', time), paint(level.colour, level.label)];
  if (typeof record.name === 'string' && record.name !== 'baton') parts.push(paint('2', `[${record.name}]`));
  if (app) parts.push(paint('1', app));
  parts.push(record.level as number >= 50 ? paint(level.colour, msg) : msg);
  if (fields.length) parts.push(paint('2', fields.join(' ')));
  const stack = options.stacks && err?.stack ? `\n${paint('2', err.stack)}` : '';
  return `${parts.join('  ')}${stack}\n`;
}

function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return isCommitId(value) ? shortRevision(value) : /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
