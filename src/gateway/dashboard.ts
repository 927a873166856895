// The web dashboard at /dashboard, Argo Rollouts' in spirit: every service's instances, tracks,
// weights and health; live deployments with their step, canary-vs-stable charts of error rate and
// p95 latency, each rule's verdict and evidence, and the actions (promote, resume, abort, emergency
// rollback; sign-offs with the person's own key); history, and each deployment's record.
// The page and its assets are public; the data needs a key, which the operator types in (or passes
// as `#key=…`: a fragment never reaches a server or a log), kept for the tab only. Reading needs
// any valid key; every action is the admin API's, which checks the key's scope and role itself.
// The page, script (dashboard/*.ts, joined) and styles are separate, under a strict CSP: no inline
// script or style, nothing from another origin; data is written with textContent, never as HTML.
import type { HttpApp } from '../kit/index.js';
import { CHARTS } from './dashboard/charts.js';
import { CORE } from './dashboard/core.js';
import { PAGE } from './dashboard/page.js';
import { STYLES } from './dashboard/styles.js';
import { VIEW } from './dashboard/view.js';

export const DASHBOARD_PATH = '/dashboard';

const SCRIPT = CORE + CHARTS + VIEW;
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerDashboard(app: HttpApp): void {
  const serve = (path: string, type: string, body: string): void => {
    app.get(path, { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) =>
      reply.type(type).header('cache-control', 'no-store').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(body),
    );
  };
  serve(DASHBOARD_PATH, 'text/html; charset=utf-8', PAGE);
  serve(`${DASHBOARD_PATH}/app.js`, 'text/javascript; charset=utf-8', SCRIPT);
  serve(`${DASHBOARD_PATH}/app.css`, 'text/css; charset=utf-8', STYLES);
}
