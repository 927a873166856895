// ops/alertmanager/alertmanager.yml: valid for amtool (Debian's prometheus-alertmanager), and each
// severity the alert rules use reaches its own receiver; anything unlabelled still reaches one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPS, readYaml, run } from './ops-files.js';

const CONFIG = join(OPS, 'alertmanager', 'alertmanager.yml');
const routeOf = (...labels: string[]): string => {
  const r = run('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels]);
  expect(r.status, r.out).toBe(0);
  return r.stdout.trim();
};

describe('ops/alertmanager', () => {
  it('passes amtool check-config', () => {
    const r = run('amtool', ['check-config', CONFIG]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
  });

  it('routes each severity the alert rules use to its receiver', () => {
    const severities = new Set([...readFileSync(join(OPS, 'prometheus', 'alerts.yml'), 'utf8').matchAll(/severity: (\w+)/g)].map((m) => m[1]));
    expect([...severities].sort()).toEqual(['critical', 'info', 'warning']);
    for (const severity of severities) expect(routeOf(`severity=${severity}`, 'service=video', 'alertname=X'), severity).toBe(`ops-${severity}`);
    expect(routeOf('alertname=Unlabelled')).toBe('ops-warning');
  });

  it('inhibits warnings under a critical alert of the same service, and traffic alerts while the gateway is down', () => {
    const config = readYaml(CONFIG) as {
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal?: string[] }>;
      receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
    };
    expect(config.inhibit_rules).toContainEqual({ source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ['service'] });
    const alertNames = new Set([...readFileSync(join(OPS, 'prometheus', 'alerts.yml'), 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]));
    for (const rule of config.inhibit_rules) {
      for (const m of [...rule.source_matchers, ...rule.target_matchers].filter((x) => x.startsWith('alertname'))) {
        const pattern = new RegExp(`^(?:${/"(.*)"/.exec(m)?.[1] ?? ''})$`);
        expect(
          [...alertNames].some((a) => pattern.test(a as string)),
          m,
        ).toBe(true);
      }
    }
    // Webhook placeholders the operator replaces: nothing is sent anywhere by default.
    for (const r of config.receivers) for (const w of r.webhook_configs ?? []) expect(new URL(w.url).hostname).toMatch(/\.invalid$/);
  });
});
