// The deployment window: is `now`, seen in the window's time zone, on an allowed day and between
// `from` (inclusive) and `to` (exclusive)? Pure; no window configured is a warning that says so.
import type { DeployWindow, Weekday } from './checks-config.js';
import { createEvidence } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export function localDayAndTime(now: Date, tz: string): { day: Weekday; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return { day: part('weekday').toLowerCase().slice(0, 3) as Weekday, time: `${part('hour')}:${part('minute')}` };
}

export function isWindowOpen(window: DeployWindow, now: Date): boolean {
  const { day, time } = localDayAndTime(now, window.tz);
  return window.days.includes(day) && time >= window.from && time < window.to;
}

export function checkDeployWindow(window: DeployWindow | null, now: Date): Evidence {
  if (window === null) {
    return createEvidence('deploy-window', { status: 'warn', observed: 'not configured: any time allowed', threshold: 'a configured window', source: 'checks config window' }, now);
  }
  const { day, time } = localDayAndTime(now, window.tz);
  return createEvidence(
    'deploy-window',
    {
      status: isWindowOpen(window, now) ? 'pass' : 'fail',
      observed: `${day} ${time} ${window.tz}`,
      threshold: `${window.days.join(',')} ${window.from}–${window.to} ${window.tz}`,
      source: 'checks config window',
    },
    now,
  );
}
