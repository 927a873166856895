// Every alert says what it means (`summary`, and a `description`: what it means, what to look at)
// and links its runbook: `annotations.runbook_url` is docs/runbooks.md#<anchor>, the
// anchor is a section heading there (as GitHub renders it), every section is some alert's, and the
// runbooks' own links between sections resolve.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULE_FILES = ['ops/prometheus/alerts.yml', 'ops/prometheus/slo.yml'];
const runbooks = readFileSync(`${ROOT}docs/runbooks.md`, 'utf8');

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const alerts = RULE_FILES.flatMap((file) =>
  (parse(readFileSync(`${ROOT}${file}`, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined).map((r) => ({ file, ...r }))),
);

/** GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation dropped. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/\s/g, '-');
const anchors = new Set([...runbooks.matchAll(/^#{2,3} (.+)$/gm)].map((m) => slug(m[1] as string)));

describe('runbook links', () => {
  it('reads every alert of both rule files', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(19);
  });

  it.each(alerts.map((a) => [a.alert, a]))('%s: runbook_url names a section of docs/runbooks.md', (_name, a) => {
    const url = a.annotations?.runbook_url ?? '';
    const match = /^docs\/runbooks\.md#([\w-]+)$/.exec(url);
    expect(match, `${a.file} ${a.alert}: ${url}`).not.toBeNull();
    expect(anchors.has(match?.[1] ?? ''), `${a.alert}: no section #${match?.[1]}`).toBe(true);
    expect(a.annotations?.summary).toBeTruthy();
  });

  it.each(alerts.map((a) => [a.alert, a]))('%s: has a summary, a description that says what to look at, and a runbook_url', (_name, a) => {
    expect(Object.keys(a.annotations ?? {}).sort()).toEqual(['description', 'runbook_url', 'summary']);
    expect(a.annotations?.description).toMatch(/Look at/);
    // A description says more than the summary does.
    expect(a.annotations?.description?.length ?? 0).toBeGreaterThan(a.annotations?.summary?.length ?? 0);
  });

  it('has no section for an alert that no longer exists', () => {
    const linked = new Set(alerts.map((a) => a.annotations?.runbook_url?.split('#')[1]));
    expect([...anchors].filter((x) => !linked.has(x))).toEqual([]);
  });

  it('links between its sections only to sections that exist', () => {
    const links = [...runbooks.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(anchors.has(link), link).toBe(true);
  });
});
