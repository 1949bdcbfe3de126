import { formatBytes } from '../limits.js';
import { boundedJson, maxSerialized, SerializedTooLarge } from './json-size.js';

/**
 * Go's fmt.Sprintf for the verbs templates use: %s %d %v %q %f %x %X %t %%,
 * with optional `-`/`0` flags, width and precision (`%5.2f`, `%-10s`, `%03d`).
 */
export function printf(format: string, args: readonly unknown[]): string {
  let next = 0;
  return format.replace(/%([-0+]*)(\d*)(?:\.(\d+))?([sdvqfxXt%])/g, (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    let s: string;
    switch (verb) {
      case 'd':
        s = typeof arg === 'number' ? Math.trunc(arg).toString() : `%!d(${typeof arg}=${formatValue(arg)})`;
        if (flags.includes('+') && typeof arg === 'number' && arg >= 0) s = `+${s}`;
        break;
      case 'f':
        s = typeof arg === 'number' ? arg.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${typeof arg}=${formatValue(arg)})`;
        break;
      case 'q':
        s = JSON.stringify(typeof arg === 'string' ? arg : formatValue(arg));
        break;
      case 'x':
      case 'X': {
        s = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(String(arg)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 't':
        s = String(Boolean(arg));
        break;
      default:
        s = formatValue(arg);
        if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec));
    }
    const w = Number(width || 0);
    if (w > maxSerialized) throw new SerializedTooLarge(`a width of ${width} would make more than ${formatBytes(maxSerialized)} of text`);
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w, ' ');
      else if (flags.includes('0') && verb !== 's') s = s.padStart(w, '0');
      else s = s.padStart(w, ' ');
    }
    return s;
  });
}

/** %v: scalars as themselves, lists and maps as JSON (readable and deterministic). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'object') return boundedJson(v);
  return String(v);
}
