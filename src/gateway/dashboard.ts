// A read-only web dashboard at /dashboard: every service's instances, tracks, weights and health,
// and the deployments with their step and each rule's verdict and reason, from the admin API's two
// read routes that any valid credential may read (the page only reads: acting stays admin),
// refreshed every 5 s. The page is public; its data needs a key, which the operator types in (or
// passes as `#key=…`: a fragment never reaches a server or a log), kept for the tab only.
// Data is written with textContent, never as HTML.
import type { HttpApp } from '../kit/index.js';
import { ADMIN_PREFIX } from './admin.js';

export const DASHBOARD_PATH = '/dashboard';

const SCRIPT = String.raw`
const ADMIN = ${JSON.stringify(ADMIN_PREFIX)};
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells, cls) {
  const tr = el('tr', undefined, cls);
  for (const c of cells) tr.appendChild(el('td', c));
  return tr;
}
function key() {
  const m = /^#key=(.+)$/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('pitchey-key', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('pitchey-key');
}
async function admin(path) {
  const res = await fetch(ADMIN + path, { headers: { 'x-api-key': key() ?? '' } });
  if (res.status === 404) return null;
  if (!res.ok) {
    const p = await res.json().catch(() => ({}));
    throw new Error(res.status + ' ' + (p.code ?? '') + ': ' + (p.detail ?? res.statusText));
  }
  return res.json();
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
function renderDeployments(list) {
  const box = $('deployments');
  box.replaceChildren();
  if (list === null) return box.appendChild(el('p', 'No deployment controller on this gateway.'));
  if (list.deployments.length === 0) return box.appendChild(el('p', 'No deployments yet.'));
  for (const d of list.deployments) {
    const section = el('section', undefined, 'deployment ' + (d.live ? 'live' : 'ended'));
    section.dataset.id = d.id;
    section.appendChild(el('h3', d.service + ' ' + (d.from ?? '–') + ' → ' + d.to + ' (' + d.strategy + ', ' + d.env + ')'));
    const step = d.steps.length > 0 ? 'step ' + (d.step + 1) + ' of ' + d.steps.length + ' (' + d.steps.join(' → ') + ' %)' : '';
    section.appendChild(el('p', d.id + ' · ' + d.phase + (d.live ? ' (live)' : '') + ' · ' + step + ' · by ' + d.author + ' · ' + d.updated_at));
    if (d.reason) section.appendChild(el('p', d.reason, 'reason'));
    const table = el('table');
    table.appendChild(row(['rule', 'verdict', 'reason']));
    for (const a of d.assessments) table.appendChild(row([a.ruleId, a.verdict, a.reason], 'verdict-' + a.verdict));
    section.appendChild(table);
    box.appendChild(section);
  }
}
async function refresh() {
  if (!key()) {
    $('login').hidden = false;
    return;
  }
  $('login').hidden = true;
  try {
    const [pools, deployments] = await Promise.all([admin('/pools'), admin('/deployments')]);
    renderPools(pools.pools);
    renderDeployments(deployments);
    $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
    $('status').className = '';
  } catch (err) {
    $('status').textContent = 'Cannot read the admin API: ' + err.message;
    $('status').className = 'error';
  }
}
$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('pitchey-key', $('key').value);
  void refresh();
});
void refresh();
setInterval(refresh, 5000);
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pitchey dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
td { border-bottom: 1px solid #ddd; padding: .25rem .75rem .25rem 0; }
tr:first-child td { font-weight: 600; }
.unhealthy, .verdict-fail, .verdict-error, .error { color: #b00020; }
.draining, .verdict-inconclusive { color: #a15c00; }
.healthy, .verdict-pass { color: #1b5e20; }
.deployment { border-left: 4px solid #999; padding-left: .75rem; margin-bottom: 1rem; }
.deployment.live { border-color: #1565c0; }
</style>
</head>
<body>
<h1>Pitchey</h1>
<p id="status">Loading…</p>
<form id="login" hidden><label>API key <input id="key" type="password" autocomplete="off"></label> <button>Show</button></form>
<h2>Services</h2>
<table><thead><tr><td>service</td><td>weights</td><td>instance</td><td>track</td><td>version</td><td>health</td><td>in flight</td></tr></thead><tbody id="pools"></tbody></table>
<h2>Deployments</h2>
<div id="deployments"></div>
<script>${SCRIPT}</script>
</body>
</html>
`;

export function registerDashboard(app: HttpApp): void {
  app.get(DASHBOARD_PATH, { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE));
}
