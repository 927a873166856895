// Alerts: no critical alert firing, asked of Alertmanager's v2 API. Unreachable or unreadable is a
// failure; no URL configured is a warning that says so, never a pass.
import { request } from 'undici';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';

interface Alert {
  labels?: Record<string, string>;
  status?: { state?: string };
  startsAt?: string;
}

export function checkAlerts(options: { alertmanagerUrl: string | null; timeoutMs: number; now: Date }): Promise<Evidence> {
  const { alertmanagerUrl, now } = options;
  const threshold = 'no active alert with severity=critical';
  if (alertmanagerUrl === null) {
    return Promise.resolve(createEvidence('alerts', { status: 'warn', observed: 'not configured: no alertmanagerUrl, alerts not checked', threshold, source: 'checks config alertmanagerUrl' }, now));
  }
  const url = `${alertmanagerUrl}/api/v2/alerts?active=true`;
  return guarded('alerts', url, now, async () => {
    const res = await request(url, { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`Alertmanager answered HTTP ${res.statusCode}`);
    }
    const alerts = await res.body.json();
    if (!Array.isArray(alerts)) throw new Error('Alertmanager answer is not a list of alerts');
    const critical = (alerts as Alert[]).filter((a) => a.labels?.severity === 'critical');
    const names = critical.map((a) => a.labels?.alertname ?? '(unnamed)');
    return createEvidence(
      'alerts',
      {
        status: critical.length === 0 ? 'pass' : 'fail',
        observed: critical.length === 0 ? `${alerts.length} active, none critical` : `${critical.length} critical firing: ${[...new Set(names)].join(', ')}`,
        threshold,
        source: url,
        details: { active: alerts.length, critical: critical.map((a) => ({ alertname: a.labels?.alertname, startsAt: a.startsAt, state: a.status?.state })) },
      },
      now,
    );
  });
}
