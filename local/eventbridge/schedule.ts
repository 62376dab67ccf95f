/**
 * EventBridge rule schedule expressions (UTC): `rate(value unit)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)` of the EventBridge user guide, with
 * `* ? , - /`, month and weekday names, `L` (last day of the month; `5L` last Thursday), `W` (nearest
 * weekday) and `#` (`3#2`: second Tuesday). Day-of-week counts 1 = SUN ... 7 = SAT, as in AWS.
 * No npm cron parser is installed; the ones on npm use Unix fields (0 = Sunday, five or six fields
 * with seconds), so AWS expressions would need translating anyway.
 */

export interface Schedule {
  expression: string;
  /** The first firing time strictly after `after` (ms since the epoch), or undefined if none is left. */
  next(after: number): number | undefined;
}

export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}

const MINUTE = 60_000;
const UNIT_MS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };

/**
 * `rate(...)` fires every period counted from `origin` (AWS counts from the rule's creation; locally,
 * from when the runtime starts).
 */
export function parseSchedule(expression: string, origin = 0): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    if (value < 1) throw new InvalidScheduleError(`${expression}: the rate must be a positive number`);
    if ((value === 1) !== !unit.endsWith('s')) throw new InvalidScheduleError(`${expression}: use ${value === 1 ? 'the singular unit for 1' : 'a plural unit for values above 1'}`);
    const period = value * UNIT_MS[unit.replace(/s$/, '')]!;
    return { expression, next: (after) => origin + (Math.floor((after - origin) / period) + 1) * period };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) return parseCron(expression, cron[1]!);
  throw new InvalidScheduleError(`${expression}: expected rate(value unit) or cron(fields)`);
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  min: number;
  max: number;
  names?: string[];
}
const FIELDS: Record<string, Field> = {
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTHS },
  dayOfWeek: { min: 1, max: 7, names: WEEKDAYS },
  year: { min: 1970, max: 2199 },
};

/** A plain field (`* , - /` and names) as the set of values it allows. */
function parseValues(text: string, field: Field, expression: string): Set<number> {
  const values = new Set<number>();
  const number = (token: string): number => {
    const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
    const value = named >= 0 ? named + field.min : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!(value >= field.min && value <= field.max)) throw new InvalidScheduleError(`${expression}: '${token}' is out of range ${field.min}-${field.max}`);
    return value;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new InvalidScheduleError(`${expression}: bad step in '${part}'`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [field.min, field.max];
    else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      [from, to] = [number(a!), number(b!)];
    } else {
      from = number(range!);
      to = stepText === undefined ? from : field.max;
    }
    if (from > to) throw new InvalidScheduleError(`${expression}: range '${range}' runs backwards`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

type DayTest = (year: number, month: number, day: number) => boolean;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function dayOfMonthTest(text: string, expression: string): DayTest {
  if (text === 'L') return (y, m, d) => d === daysIn(y, m);
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) {
    const target = Number(weekday[1]);
    if (target < 1 || target > 31) throw new InvalidScheduleError(`${expression}: '${text}' is out of range`);
    // The weekday nearest to the target day, without leaving the month.
    return (y, m, d) => {
      const last = daysIn(y, m);
      if (target > last) return false;
      const w = weekdayOf(y, m, target);
      let nearest = target;
      if (w === 7) nearest = target === 1 ? 3 : target - 1;
      else if (w === 1) nearest = target === last ? target - 2 : target + 1;
      return d === nearest;
    };
  }
  const values = parseValues(text, FIELDS.dayOfMonth!, expression);
  return (_y, _m, d) => values.has(d);
}

function dayOfWeekTest(text: string, expression: string): DayTest {
  const field = FIELDS.dayOfWeek!;
  const last = /^(\w+)L$/.exec(text);
  if (last) {
    const weekday = parseValues(last[1]!, field, expression);
    return (y, m, d) => weekday.has(weekdayOf(y, m, d)) && d + 7 > daysIn(y, m);
  }
  const nth = /^(\w+)#([1-5])$/.exec(text);
  if (nth) {
    const weekday = parseValues(nth[1]!, field, expression);
    const n = Number(nth[2]);
    return (y, m, d) => weekday.has(weekdayOf(y, m, d)) && Math.ceil(d / 7) === n;
  }
  const values = text === 'L' ? new Set([7]) : parseValues(text, field, expression);
  return (y, m, d) => values.has(weekdayOf(y, m, d));
}

function parseCron(expression: string, body: string): Schedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new InvalidScheduleError(`${expression}: cron takes 6 fields (minutes hours day-of-month month day-of-week year)`);
  const [minutesText, hoursText, domText, monthText, dowText, yearText] = parts as [string, string, string, string, string, string];
  if ((domText === '?') === (dowText === '?')) throw new InvalidScheduleError(`${expression}: exactly one of day-of-month and day-of-week must be '?'`);
  const minutes = [...parseValues(minutesText, FIELDS.minutes!, expression)].sort((a, b) => a - b);
  const hours = [...parseValues(hoursText, FIELDS.hours!, expression)].sort((a, b) => a - b);
  const months = parseValues(monthText, FIELDS.month!, expression);
  const years = parseValues(yearText, FIELDS.year!, expression);
  const dayMatches = domText === '?' ? dayOfWeekTest(dowText, expression) : dayOfMonthTest(domText, expression);
  const lastYear = Math.max(...years);

  return {
    expression,
    next(after) {
      const start = new Date(Math.floor(after / MINUTE) * MINUTE + MINUTE);
      let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
      for (;;) {
        const date = new Date(day);
        const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
        if (y > lastYear) return undefined;
        if (years.has(y) && months.has(m) && dayMatches(y, m, d)) {
          for (const h of hours) {
            for (const min of minutes) {
              const at = day + h * 3_600_000 + min * MINUTE;
              if (at >= start.getTime()) return at;
            }
          }
        }
        day += 24 * 3_600_000;
      }
    },
  };
}
