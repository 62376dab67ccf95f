import { expect } from 'chai';
import { InvalidScheduleError, parseSchedule } from '../../../local/eventbridge/schedule';
import type { Clock } from '../../../local/eventbridge/runtime';
import { runSchedule } from '../../../local/eventbridge/scheduler';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The next `n` firings after `from`. */
function firings(expression: string, from: string, n: number, origin?: number): (string | undefined)[] {
  const schedule = parseSchedule(expression, origin);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < n && t !== undefined; i += 1) {
    t = schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

/** A clock that only moves when the test says so; sleepers wake in time order. */
class FakeClock implements Clock {
  private sleepers: { until: number; wake: () => void }[] = [];
  constructor(private time: number) {}
  now() {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal) {
    return new Promise<void>((resolve) => {
      this.sleepers.push({ until: this.time + ms, wake: resolve });
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      this.sleepers.sort((a, b) => a.until - b.until);
      const next = this.sleepers[0];
      if (!next || next.until > end) break;
      this.sleepers.shift();
      this.time = next.until;
      next.wake();
    }
    this.time = end;
  }
}

describe('local EventBridge: schedule expressions', function () {
  it('rate() fires every period counted from the origin', function () {
    const origin = at('2026-11-23T10:00:30Z');
    expect(firings('rate(15 minutes)', '2026-11-23T10:00:30Z', 3, origin)).to.deep.equal(['2026-11-23T10:15:30.000Z', '2026-11-23T10:30:30.000Z', '2026-11-23T10:45:30.000Z']);
    expect(firings('rate(1 hour)', '2026-11-23T10:59:00Z', 1, origin)).to.deep.equal(['2026-11-23T11:00:30.000Z']);
    expect(firings('rate(2 days)', '2026-11-23T10:00:30Z', 1, origin)).to.deep.equal(['2026-11-25T10:00:30.000Z']);
  });

  it('refuses rates AWS refuses', function () {
    expect(() => parseSchedule('rate(1 minutes)')).to.throw(InvalidScheduleError, 'singular');
    expect(() => parseSchedule('rate(5 minute)')).to.throw(InvalidScheduleError, 'plural');
    expect(() => parseSchedule('rate(0 minutes)')).to.throw(InvalidScheduleError, 'positive');
    expect(() => parseSchedule('every 5 minutes')).to.throw(InvalidScheduleError);
  });

  it('cron: every 10 minutes on weekdays (the user guide example 0/10 * ? * MON-FRI *)', function () {
    // 2026-11-27 is a Friday.
    expect(firings('cron(0/10 * ? * MON-FRI *)', '2026-11-27T23:45:00Z', 2)).to.deep.equal(['2026-11-27T23:50:00.000Z', '2026-11-30T00:00:00.000Z']);
  });

  it('cron: 10:15 on the last day of every month', function () {
    expect(firings('cron(15 10 L * ? *)', '2026-01-31T10:15:00Z', 3)).to.deep.equal(['2026-02-28T10:15:00.000Z', '2026-03-31T10:15:00.000Z', '2026-04-30T10:15:00.000Z']);
  });

  it('cron: 6 pm on the first Monday of the month, and on the last Friday', function () {
    expect(firings('cron(0 18 ? * 2#1 *)', '2026-11-23T00:00:00Z', 2)).to.deep.equal(['2026-12-07T18:00:00.000Z', '2027-01-04T18:00:00.000Z']);
    expect(firings('cron(0 18 ? * 6L *)', '2026-11-23T00:00:00Z', 1)).to.deep.equal(['2026-11-27T18:00:00.000Z']);
  });

  it('cron: the weekday nearest the 1st (W), without leaving the month', function () {
    // 2026-08-01 is a Saturday: the nearest weekday in August is Monday the 3rd.
    expect(firings('cron(0 9 1W * ? *)', '2026-07-15T00:00:00Z', 2)).to.deep.equal(['2026-08-03T09:00:00.000Z', '2026-09-01T09:00:00.000Z']);
  });

  it('cron: names, lists, ranges and a last year', function () {
    expect(firings('cron(0 8,20 1 JAN,JUL ? 2027-2028)', '2026-11-23T00:00:00Z', 5)).to.deep.equal([
      '2027-01-01T08:00:00.000Z',
      '2027-01-01T20:00:00.000Z',
      '2027-07-01T08:00:00.000Z',
      '2027-07-01T20:00:00.000Z',
      '2028-01-01T08:00:00.000Z',
    ]);
    expect(firings('cron(0 0 1 1 ? 2027)', '2027-01-01T00:00:00Z', 1)).to.deep.equal([undefined]);
  });

  it('refuses cron expressions AWS refuses', function () {
    expect(() => parseSchedule('cron(0 12 * * *)')).to.throw(InvalidScheduleError, '6 fields');
    expect(() => parseSchedule('cron(0 12 * * * *)')).to.throw(InvalidScheduleError, "'?'");
    expect(() => parseSchedule('cron(0 12 ? * ? *)')).to.throw(InvalidScheduleError, "'?'");
    expect(() => parseSchedule('cron(60 12 * * ? *)')).to.throw(InvalidScheduleError, 'out of range');
    expect(() => parseSchedule('cron(0 12 ? * 0 *)')).to.throw(InvalidScheduleError, 'out of range');
  });
});

describe('local EventBridge: schedule timing (fake clock)', function () {
  it('fires at each period and stops when the signal aborts', async function () {
    const start = at('2026-11-23T10:00:00Z');
    const clock = new FakeClock(start);
    const controller = new AbortController();
    const fired: string[] = [];
    const loop = runSchedule(parseSchedule('rate(5 minutes)', start), clock, controller.signal, (t) => fired.push(new Date(t).toISOString()));
    await clock.advance(4 * 60_000);
    expect(fired).to.deep.equal([]);
    await clock.advance(60_000);
    expect(fired).to.deep.equal(['2026-11-23T10:05:00.000Z']);
    await clock.advance(10 * 60_000);
    expect(fired).to.deep.equal(['2026-11-23T10:05:00.000Z', '2026-11-23T10:10:00.000Z', '2026-11-23T10:15:00.000Z']);
    controller.abort();
    await loop;
    await clock.advance(60 * 60_000);
    expect(fired).to.have.length(3);
  });

  it('a firing missed while the process was stalled happens once, late, then the schedule goes on', async function () {
    const start = at('2026-11-23T10:00:00Z');
    let time = start;
    const sleeps: number[] = [];
    const stalledClock: Clock = {
      now: () => time,
      sleep: async (ms) => {
        sleeps.push(ms);
        // The first sleep overruns by 12 minutes (a suspended laptop); the others are exact.
        time += sleeps.length === 1 ? ms + 12 * 60_000 : ms;
      },
    };
    const controller = new AbortController();
    const fired: string[] = [];
    await runSchedule(parseSchedule('rate(5 minutes)', start), stalledClock, controller.signal, (t) => {
      fired.push(new Date(t).toISOString());
      if (fired.length === 3) controller.abort();
    });
    expect(fired).to.deep.equal(['2026-11-23T10:05:00.000Z', '2026-11-23T10:20:00.000Z', '2026-11-23T10:25:00.000Z']);
  });
});
