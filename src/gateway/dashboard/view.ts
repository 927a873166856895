// The dashboard's views: services, live deployments (steps, charts, each rule's verdict and
// evidence, actions), history and a deployment's record; refreshed every 5 s. Actions show only
// to those who may take them (admin; sign-offs to the holders of a role) and always ask first;
// the server decides anyway, and its refusals show as the problem's title and detail.
export const VIEW = String.raw`
let me = null;
let refreshing = false;
function renderWho() {
  const parts = [me.person || me.id];
  if (me.admin) parts.push('admin');
  if (me.roles.length > 0) parts.push('signs off as ' + me.roles.join(', '));
  if (!me.admin && me.roles.length === 0) parts.push('read-only');
  $('who').textContent = parts.join(' · ');
  $('identity').hidden = false;
}
function renderPools(pools) {
  const body = $('pools');
  body.replaceChildren();
  for (const p of pools) {
    const weights = Object.entries(p.weights).map(([t, w]) => t + ' ' + w + ' %').join(', ');
    for (const i of p.instances) {
      const health = i.draining ? 'draining' : i.healthy ? 'healthy' : 'unhealthy';
      body.appendChild(row([p.service, weights, i.id, i.track, i.version, health, i.inflight], health));
    }
    if (p.instances.length === 0) body.appendChild(row([p.service, weights, '(no instance)', '', '', 'unhealthy', ''], 'unhealthy'));
  }
}
const num = (v) => (v === null || v === undefined ? '–' : String(Math.round(v * 1000) / 1000));
function renderRules(d) {
  const table = el('table', undefined, 'rules');
  table.appendChild(row(['rule', 'verdict', 'observed', 'threshold', 'samples (canary / stable)', 'statistic', 'reason']));
  for (const a of d.assessments) {
    const e = a.evidence || { samples: {} };
    const stat = e.statistic ? e.statistic.name + ' ' + num(e.statistic.value) + (e.statistic.pValue === undefined ? '' : ', p=' + e.statistic.pValue.toExponential(2)) : '–';
    table.appendChild(row([a.ruleId, a.verdict, num(e.observed), num(e.threshold), e.samples.candidate + ' / ' + e.samples.baseline, stat, a.reason], 'verdict-' + a.verdict));
  }
  if (d.assessments.length === 0) table.appendChild(row(['(no verdict yet)', '', '', '', '', '', '']));
  return table;
}
function renderSteps(d) {
  const bar = el('ol', undefined, 'steps');
  d.steps.forEach((w, i) => bar.appendChild(el('li', w + ' %', i < d.step ? 'done' : i === d.step ? 'current' : 'todo')));
  return bar;
}
async function act(message, path, body, field) {
  const input = await ask(message, field);
  if (input === null) return;
  try {
    await api(path, { method: 'POST', body: typeof body === 'function' ? body(input) : body });
    notice('Done: ' + message.replace(/\?$/, '.'), 'ok');
  } catch (err) {
    notice(err.message, 'error');
  }
  await refresh();
}
function renderActions(d) {
  const box = el('div', undefined, 'actions');
  const at = '/deployments/' + d.id;
  if (me.admin) {
    box.appendChild(button('Promote', 'promote', () => act('Promote ' + d.service + ' ' + d.to + ' to 100 % now, skipping the remaining steps?', at + '/promote', {})));
    // Resume only means something to a paused deployment (one held by an inconclusive analysis).
    if (d.phase === 'paused') box.appendChild(button('Resume', 'resume', () => act('Resume ' + d.id + '?', at + '/resume', {})));
    box.appendChild(button('Abort', 'abort danger', () => act('Abort ' + d.id + ' and roll ' + d.service + ' back to ' + (d.from || 'nothing') + '?', at + '/abort', {})));
    const reason = { label: 'Reason (recorded in the audit log)', required: true };
    box.appendChild(
      button('Emergency rollback', 'rollback danger', () =>
        act('Emergency rollback of ' + d.service + ': every request to the previous version at once, aborting live deployments?', '/rollback', (r) => ({ service: d.service, emergency: true, reason: r }), reason),
      ),
    );
    box.appendChild(button('Record', 'record', () => showRecord(d.id)));
  }
  // A sign-off goes with this tab's own key: the server records it under that key's person.
  for (const role of me.roles) {
    const comment = { label: 'Comment (optional)', required: false };
    box.appendChild(button('Sign off as ' + role, 'signoff', () => act('Sign off ' + d.id + ' as ' + role + ', as ' + me.person + '?', at + '/approvals', (c) => (c ? { role, comment: c } : { role }), comment)));
  }
  return box;
}
function renderLive(d) {
  const section = el('section', undefined, 'deployment live');
  section.dataset.id = d.id;
  section.appendChild(el('h3', d.service + ' ' + (d.from || '–') + ' → ' + d.to + ' (' + d.strategy + ', ' + d.env + ')'));
  const step = d.steps.length > 0 ? 'step ' + (d.step + 1) + ' of ' + d.steps.length + ' (' + d.steps.join(' → ') + ' %)' : '';
  section.appendChild(el('p', d.id + ' · ' + d.phase + ' (live) · ' + step + ' · by ' + d.author + ' · ' + d.updated_at));
  if (d.steps.length > 0) section.appendChild(renderSteps(d));
  if (d.reason) section.appendChild(el('p', d.reason, 'reason'));
  const charts = el('div', undefined, 'charts');
  section.appendChild(charts);
  section.appendChild(renderRules(d));
  section.appendChild(renderActions(d));
  return { section, charts };
}
function renderHistory(ended) {
  const body = $('history');
  body.replaceChildren();
  for (const d of ended) {
    const tr = row([d.id, d.service, (d.from || '–') + ' → ' + d.to, d.strategy, d.phase, d.author, d.updated_at, d.reason || ''], 'phase-' + d.phase);
    tr.dataset.id = d.id;
    tr.appendChild(me.admin ? wrap('td', button('Record', 'record', () => showRecord(d.id))) : el('td'));
    body.appendChild(tr);
  }
  $('history-empty').hidden = ended.length > 0;
}
async function renderDeployments(list) {
  const box = $('deployments');
  box.replaceChildren();
  if (list === null) {
    box.appendChild(el('p', 'No deployment controller on this gateway.'));
    return renderHistory([]);
  }
  const live = list.deployments.filter((d) => d.live);
  if (live.length === 0) box.appendChild(el('p', 'No deployment in progress.'));
  const charts = [];
  for (const d of live) {
    const view = renderLive(d);
    box.appendChild(view.section);
    charts.push(renderCharts(d, view.charts));
  }
  renderHistory(list.deployments.filter((d) => !d.live));
  await Promise.all(charts);
}
// The record as the CLI renders it (HTML, every value escaped by the server), parsed inertly and
// shown in place: its own styles are left behind, the page's style it.
async function showRecord(id) {
  try {
    const html = await api('/deployments/' + id + '/record', { accept: 'text/html' });
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const s of doc.querySelectorAll('script, style, link')) s.remove();
    $('record-body').replaceChildren(...Array.from(doc.body.childNodes, (n) => document.importNode(n, true)));
    $('record').hidden = false;
    $('record').scrollIntoView();
  } catch (err) {
    notice(err.message, 'error');
  }
}
async function refresh() {
  if (!key()) {
    $('login').hidden = false;
    $('identity').hidden = true;
    return;
  }
  $('login').hidden = true;
  if (refreshing) return;
  refreshing = true;
  try {
    if (me === null) me = await api('/whoami');
    renderWho();
    const [pools, deployments] = await Promise.all([api('/pools'), api('/deployments', { optional: true })]);
    renderPools(pools.pools);
    await renderDeployments(deployments);
    $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
    $('status').className = '';
  } catch (err) {
    $('status').textContent = 'Cannot read the admin API: ' + err.message;
    $('status').className = 'error';
  } finally {
    refreshing = false;
  }
}
$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('pitchey-key', $('key').value);
  me = null;
  void refresh();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem('pitchey-key');
  me = null;
  location.reload();
});
$('record-close').addEventListener('click', () => {
  $('record').hidden = true;
});
void refresh();
setInterval(refresh, 5000);
`;
