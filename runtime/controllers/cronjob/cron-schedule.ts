import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** Kubernetes refuses more than this many missed start times in one look (an event, then only the latest runs). */
export const MAX_MISSED_STARTS = 100;

/**
 * Parses a CronJob schedule as robfig/cron's ParseStandard accepts it: five
 * fields or a descriptor (@hourly, @daily…), in `timeZone` (an IANA name)
 * or the runtime's local zone. Throws with a message fit for a 422.
 */
export function parseSchedule(schedule: string, timeZone: string | undefined, from: Date): CronExpression {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) throw new Error('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  if (!text.startsWith('@')) {
    const fields = text.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  } else if (text.startsWith('@every')) {
    throw new Error('@every is not supported by the built-in runtime');
  }
  return CronExpressionParser.parse(text, { currentDate: from, ...(timeZone ? { tz: timeZone } : {}) });
}

/** An error message when `timeZone` is not an explicit IANA zone (validateTimeZone), else undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (timeZone.length === 0) return 'timeZone must be nil or non-empty string';
  if (timeZone.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `unknown time zone ${timeZone}`;
  }
}

/** The start times a CronJob missed since `earliest`: the latest of them, and how many (at most MAX_MISSED_STARTS + 1). */
export interface MissedStarts {
  mostRecent?: Date;
  count: number;
  /** The first start time after now. */
  next: Date;
}

/**
 * getMostRecentScheduleTime: the latest schedule time in (earliest, now],
 * counting the missed ones up to one past the limit, and the next start.
 */
export function missedStarts(schedule: string, timeZone: string | undefined, earliest: Date, now: Date): MissedStarts {
  const next = parseSchedule(schedule, timeZone, now).next().toDate();
  if (earliest.getTime() >= now.getTime()) return { count: 0, next };
  // prev() is strictly before its start, so start just after now to include a start time equal to now.
  const latest = parseSchedule(schedule, timeZone, new Date(now.getTime() + 1)).prev().toDate();
  if (latest.getTime() <= earliest.getTime()) return { count: 0, next };
  const walk = parseSchedule(schedule, timeZone, earliest);
  let count = 0;
  while (count <= MAX_MISSED_STARTS) {
    const t = walk.next().toDate();
    if (t.getTime() > now.getTime()) break;
    count++;
  }
  return { mostRecent: latest, count, next };
}
