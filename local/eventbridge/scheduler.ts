import type { Clock } from './runtime';
import type { Schedule } from './schedule';

/**
 * Calls `fire` at each time the schedule names, from now until the signal aborts. A firing does not
 * wait for the previous one's deliveries (EventBridge does not either); a firing missed while the
 * process was busy happens late, once, never twice.
 */
export async function runSchedule(schedule: Schedule, clock: Clock, signal: AbortSignal, fire: (at: number) => void): Promise<void> {
  for (let at = schedule.next(clock.now()); at !== undefined && !signal.aborted; at = schedule.next(Math.max(at, clock.now()))) {
    await clock.sleep(Math.max(0, at - clock.now()), signal);
    if (signal.aborted) return;
    fire(at);
  }
}
