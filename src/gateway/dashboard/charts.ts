// The dashboard's canary-vs-stable charts: error rate and p95 latency per track over the
// deployment's analysis, from the gateway's per-track series (the buckets the analysis judges),
// drawn as inline SVG built element by element (no library, no markup strings).
export const CHARTS = String.raw`
const SVG_NS = 'http://www.w3.org/2000/svg';
const CHART = { w: 420, h: 150, l: 52, r: 10, t: 10, b: 24 };
const TRACK_ORDER = ['stable', 'canary', 'blue', 'green'];
/** At most this many points per chart: the step widens as the analysis goes on. */
const MAX_POINTS = 60;
const KEPT_MS = 15 * 60 * 1000;
function svg(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
function svgText(x, y, text, anchor) {
  const t = svg('text', { x, y, 'text-anchor': anchor || 'start', class: 'tick' });
  t.textContent = text;
  return t;
}
function formatValue(metric, v) {
  if (metric === 'errorRate') return (v * 100).toFixed(v < 0.1 ? 1 : 0) + ' %';
  return (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ms';
}
/** The span to ask for: since the deployment started (at most what the gateway keeps), in steps of whole seconds. */
function seriesQuery(d, now) {
  const since = Math.max(Date.parse(d.created_at), now - KEPT_MS + 1000);
  const stepMs = Math.max(1000, Math.ceil((now - since) / MAX_POINTS / 1000) * 1000);
  return { since, stepMs };
}
function chart(title, metric, answer, since) {
  const fig = el('figure', undefined, 'chart');
  fig.dataset.metric = metric;
  fig.appendChild(el('figcaption', title));
  const c = CHART;
  const s = svg('svg', { viewBox: '0 0 ' + c.w + ' ' + c.h, role: 'img', 'aria-label': title });
  const tracks = TRACK_ORDER.filter((t) => answer.tracks[t]);
  const values = tracks.flatMap((t) => answer.tracks[t].map((p) => p[metric]).filter((v) => v !== null));
  const top = Math.max(metric === 'errorRate' ? 0.01 : 5, ...values) * 1.1;
  const from = since;
  const to = Math.max(answer.at, since + 1000);
  const x = (t) => c.l + ((c.w - c.l - c.r) * (t - from)) / (to - from);
  const y = (v) => c.h - c.b - ((c.h - c.t - c.b) * v) / top;
  s.appendChild(svg('line', { x1: c.l, y1: c.h - c.b, x2: c.w - c.r, y2: c.h - c.b, class: 'axis' }));
  s.appendChild(svg('line', { x1: c.l, y1: c.t, x2: c.l, y2: c.h - c.b, class: 'axis' }));
  s.appendChild(svg('line', { x1: c.l, y1: y(top / 1.1), x2: c.w - c.r, y2: y(top / 1.1), class: 'grid' }));
  s.appendChild(svgText(c.l - 4, y(top / 1.1) + 4, formatValue(metric, top / 1.1), 'end'));
  s.appendChild(svgText(c.l - 4, c.h - c.b + 4, formatValue(metric, 0), 'end'));
  s.appendChild(svgText(c.l, c.h - 6, new Date(from).toLocaleTimeString()));
  s.appendChild(svgText(c.w - c.r, c.h - 6, new Date(to).toLocaleTimeString(), 'end'));
  for (const track of tracks) {
    // A step without requests has no value: the line joins the steps that have one.
    const points = answer.tracks[track].filter((p) => p[metric] !== null && p.at + answer.stepMs > from);
    if (points.length === 0) continue;
    const xy = points.map((p) => [x(Math.min(p.at + answer.stepMs / 2, to)).toFixed(1), y(p[metric]).toFixed(1)]);
    const path = svg('path', { d: xy.map((p, i) => (i === 0 ? 'M' : 'L') + p[0] + ' ' + p[1]).join(' '), class: 'line ' + track });
    path.dataset.track = track;
    path.dataset.points = String(points.length);
    s.appendChild(path);
    points.forEach((p, i) => {
      const dot = svg('circle', { cx: xy[i][0], cy: xy[i][1], r: 2, class: 'dot ' + track });
      const tip = svg('title', {});
      tip.textContent = track + ' ' + new Date(p.at).toLocaleTimeString() + ': ' + formatValue(metric, p[metric]) + ' (' + p.requests + ' requests)';
      dot.appendChild(tip);
      s.appendChild(dot);
    });
  }
  fig.appendChild(s);
  const legend = el('p', undefined, 'legend');
  for (const track of tracks) legend.appendChild(el('span', track, 'key ' + track));
  if (tracks.length === 0) legend.appendChild(el('span', 'no traffic yet'));
  fig.appendChild(legend);
  return fig;
}
async function renderCharts(d, box) {
  const q = seriesQuery(d, Date.now());
  const answer = await api('/stats/' + encodeURIComponent(d.service) + '/series?sinceMs=' + q.since + '&stepMs=' + q.stepMs);
  box.replaceChildren(chart('Error rate', 'errorRate', answer, q.since), chart('p95 latency', 'p95Ms', answer, q.since));
}
`;
