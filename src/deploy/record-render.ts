// The deployment record as Markdown or HTML (every value escaped): what a reviewer reads.
import type { ReleaseRecord } from './admin-api.js';
import type { DeploymentRecord } from './record.js';

type Table = { headers: string[]; rows: string[][] };

interface Section {
  title: string;
  lines?: string[];
  table?: Table;
  empty?: string;
}

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : String(Math.round(v * 1000) / 1000));

function sections(r: DeploymentRecord): Section[] {
  const verdictRows = r.verdicts.map((v) => [
    v.ruleId,
    v.verdict,
    num(v.evidence.observed),
    num(v.evidence.threshold),
    `${v.evidence.samples.candidate} / ${v.evidence.samples.baseline}`,
    v.evidence.statistic
      ? `${v.evidence.statistic.name} ${num(v.evidence.statistic.value)}${v.evidence.statistic.pValue === undefined ? '' : `, p=${v.evidence.statistic.pValue.toExponential(2)}`}`
      : '–',
    v.reason,
  ]);
  return [
    {
      title: 'Summary',
      lines: [
        `Service **${r.service}** in **${r.env}**: ${r.from ?? '(none)'} → ${r.to} by ${r.strategy}, requested by ${r.author}.`,
        `Outcome: **${r.outcome}**${r.reason ? ` — ${r.reason}` : ''}.`,
        `Started ${r.startedAt}${r.endedAt ? `, ended ${r.endedAt} (${r.durationS} s)` : ', still in progress'}. Plan hash \`${r.planHash}\`.`,
        `Audit trail: ${r.audit.events} events, hash chain ${r.audit.verified ? 'verified' : 'BROKEN'}.`,
        ...(r.plan.rollback
          ? [`A rollback from ${r.plan.rollback.from ?? '(none)'}; ${r.plan.rollback.signoffsWaived ? 'forward sign-offs waived' : 'sign-offs required'}: ${r.plan.rollback.why}.`]
          : []),
      ],
    },
    ...(r.promotion === null
      ? []
      : [
          {
            title: 'Promotion chain',
            lines: [
              `Promoted and validated in **${r.promotion.env}** first: deployment ${r.promotion.deploymentId}, record sha256 \`${r.promotion.recordHash}\`.`,
              `Validation there: ${r.promotion.phases.map((p) => `${p.phase} ${p.status}`).join(', ')}.`,
            ],
          },
        ]),
    r.checks === null
      ? { title: 'Pre-deployment checks', empty: 'No pre-deployment check run is recorded for this deployment.' }
      : {
          title: 'Pre-deployment checks',
          table: {
            headers: ['check', 'status', 'observed', 'threshold', 'source', 'waiver'],
            rows: r.checks.map((c) => [c.check, c.status, c.observed, c.threshold, c.source, c.waiver ? `${c.waiver.approver}: ${c.waiver.reason}` : '']),
          },
        },
    {
      title: 'Sign-offs',
      table: {
        headers: ['role', 'signed by', 'at', 'comment'],
        rows: r.signoffs.required.map((s) => [s.title, s.by === null ? 'MISSING' : `${s.by}${s.credential === null ? '' : ` (${s.credential})`}`, s.at ?? '–', s.comment ?? '']),
      },
      empty: 'No sign-off was required.',
    },
    ...(r.signoffs.rejected.length ? [{ title: 'Sign-offs that did not count', table: { headers: ['role', 'name', 'why'], rows: r.signoffs.rejected.map((x) => [x.role, x.name, x.why]) } }] : []),
    {
      title: 'Notifications',
      table: { headers: ['event', 'receiver', 'status', 'attempts', 'last error'], rows: r.notifications.map((n) => [n.event, n.receiver, n.status, String(n.attempts), n.lastError ?? '']) },
      empty: 'No notification receiver is configured.',
    },
    {
      title: 'Plan',
      lines: [
        `Steps ${r.plan.steps.join(' → ')} %, ${r.plan.stepMs / 1000} s each; bake ${r.plan.bakeMs / 1000} s; ${r.plan.instances} instance(s); ready timeout ${r.plan.readyTimeoutMs / 1000} s${r.plan.faults ? `; fault injection: ${r.plan.faults}` : ''}.`,
      ],
      table: {
        headers: ['rule', 'metric', 'threshold', 'for', 'min samples', 'no data', 'action'],
        rows: r.plan.rules.map((x) => [x.id, x.metric, String(x.threshold), `${x.forMs / 1000} s`, String(x.minSamples), x.noData, x.action]),
      },
    },
    {
      title: 'Analysis verdicts (latest per rule)',
      table: { headers: ['rule', 'verdict', 'observed', 'threshold', 'samples (new / stable)', 'statistic', 'reason'], rows: verdictRows },
      empty: 'No analysis ran.',
    },
    ...(r.rollback
      ? [
          {
            title: 'Rollback',
            lines: [
              `Rolled back: ${r.rollback.reason}`,
              ...(r.rollback.verdict
                ? [
                    `Deciding verdict: ${r.rollback.verdict.ruleId} observed ${num(r.rollback.verdict.evidence.observed)} against ${num(r.rollback.verdict.evidence.threshold)} over ${r.rollback.verdict.evidence.samples.candidate} new-version and ${r.rollback.verdict.evidence.samples.baseline} stable requests.`,
                  ]
                : []),
            ],
          },
        ]
      : []),
    { title: 'Timeline', table: { headers: ['+s', 'event', 'by', 'detail'], rows: r.timeline.map((t) => [String(t.offsetS), t.kind, t.actor, t.summary]) } },
    {
      title: "People's duties (recorded acknowledgements, not checked by the system)",
      table: { headers: ['item', 'acknowledged by', 'at', 'note'], rows: r.acknowledgements.map((a) => [a.title, a.by ?? 'not recorded', a.at ?? '–', a.note ?? '']) },
    },
    {
      title: 'Error budget',
      lines: [`Before: ${r.errorBudget.before ?? 'not recorded (no error-budget check ran)'}`, `After: ${r.errorBudget.after ?? 'not recorded (recorded at promotion)'}`],
    },
    {
      title: 'Smoke journeys',
      ...(r.smokeRollback ? { lines: [`The after-deploy smoke journey failed and rolled the service back to ${r.smokeRollback.to}: ${r.smokeRollback.reason}`] } : {}),
      table: { headers: ['when', 'track', 'journey', 'status', 'observed'], rows: r.smoke.map((x) => [x.when, x.track, x.evidence.check, x.evidence.status, x.evidence.observed]) },
      empty: 'No smoke journey is recorded for this deployment.',
    },
    r.validation === null
      ? { title: 'Post-deployment validation', empty: r.outcome === 'promoted' ? 'Validation did not start.' : 'Not applicable: the release was not promoted.' }
      : {
          title: 'Post-deployment validation',
          ...withLines([
            ...(r.validation.rolledBackTo ? [`A breach in the immediate phase rolled the service back to ${r.validation.rolledBackTo}.`] : []),
            ...(r.validation.running
              ? [`The ${r.validation.running.phase} phase is under way: from ${r.validation.running.since} to ${r.validation.running.until}, ${r.validation.running.requests} requests so far.`]
              : []),
          ]),
          table: { headers: ['phase', 'ended', 'status', 'observed', 'limits'], rows: r.validation.phases.map((p) => [p.phase, p.at, p.status, p.observed, p.threshold]) },
          empty: 'Validation is running; no phase has ended yet.',
        },
  ];
}

/** `lines` only when there are some: a section without lines shows its table or its `empty` text. */
const withLines = (lines: string[]): { lines?: string[] } => (lines.length > 0 ? { lines } : {});

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: DeploymentRecord): string {
  const out = [`# Deployment record ${r.id}`];
  for (const s of sections(r)) {
    out.push('', `## ${s.title}`, '');
    if (s.lines) out.push(...s.lines);
    if (s.table && s.table.rows.length > 0) {
      if (s.lines) out.push('');
      out.push(`| ${s.table.headers.join(' | ')} |`, `|${s.table.headers.map(() => '---').join('|')}|`, ...s.table.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`));
    } else if (!s.lines) out.push(s.empty ?? '');
  }
  return `${out.join('\n')}\n`;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const inline = (s: string): string =>
  esc(s)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`(.+?)`/g, '<code>$1</code>');

export function renderHtml(r: DeploymentRecord): string {
  const body = sections(r)
    .map((s) => {
      const lines = (s.lines ?? []).map((l) => `<p>${inline(l)}</p>`).join('');
      const table =
        s.table && s.table.rows.length > 0
          ? `<table><thead><tr>${s.table.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${s.table.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
          : s.lines
            ? ''
            : `<p>${esc(s.empty ?? '')}</p>`;
      return `<section><h2>${esc(s.title)}</h2>${lines}${table}</section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Deployment record ${esc(r.id)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}</style></head>
<body><h1>Deployment record ${esc(r.id)}</h1>\n${body}\n</body></html>\n`;
}

/** A platform release's record: the release as one deployment, then each service's record as a section of it. */
export function renderReleaseMarkdown(r: ReleaseRecord): string {
  const rel = r.release;
  const demote = (md: string): string => md.replace(/^(#+) /gm, '$1## ');
  const out = [
    `# Platform release record ${rel.id}`,
    '',
    `- **Version**: ${rel.version}; **environment**: ${rel.env}; **by**: ${rel.author}`,
    `- **Outcome**: ${rel.phase}${rel.reason ? ` (${rel.reason})` : ''}`,
    `- **Waves**: ${rel.waves.map((w, i) => `${i + 1}. ${w.join(', ')}`).join('; ')}`,
    '',
    '| service | wave | deployment | outcome | reverted by |',
    '|---|---|---|---|---|',
    ...rel.members
      .map((m) =>
        [
          m.service,
          String(m.wave + 1),
          m.deployment?.id ?? '-',
          m.refused !== null ? `refused: ${m.refused}` : (m.deployment?.phase ?? 'not started'),
          m.revert === null ? '-' : `${m.revert.id} (${m.revert.phase})`,
        ]
          .map(mdCell)
          .join(' | '),
      )
      .map((row) => `| ${row} |`),
    '',
    '## Release timeline',
    '',
    ...r.events.map((e) => `- ${new Date(e.at).toISOString()} ${e.kind} (${e.actor}): ${mdCell(JSON.stringify(e.data))}`),
  ];
  for (const s of r.sections) {
    out.push('', `## ${s.service}`, '');
    if (s.record !== null) out.push(demote(renderMarkdown(s.record)).trimEnd());
    else out.push(s.refused === null ? 'Not started.' : `Refused: ${s.refused}`);
    if (s.revert !== null) out.push('', demote(renderMarkdown(s.revert)).trimEnd());
  }
  return `${out.join('\n')}\n`;
}
